"""An honest benchmark of oversampling for network intrusion detection."""

__version__ = "0.1.0"
