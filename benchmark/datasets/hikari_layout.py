"""The column layout of ALLFLOWMETER_HIKARI2021.csv, in one place.

Everything that knows HIKARI's columns (the adapter, the demo simulator, the
flow-validity checker, the generators' derived-column repair) imports it from
here.  The facts come from the real file: 88 columns, read by pandas as
``Unnamed: 0.1``, ``Unnamed: 0`` (row indexes), ``uid``, ``originh``,
``originp``, ``responh``, ``responp``, 79 flow features, ``traffic_category``,
``Label``.
"""

from __future__ import annotations

# The raw first line of the file: its first field is empty, which pandas reads
# as "Unnamed: 0.1" because the second field is literally "Unnamed: 0".
RAW_LEADING = ("", "Unnamed: 0")
INDEX_COLUMNS = ("Unnamed: 0.1", "Unnamed: 0")
ID_COLUMNS = ("uid", "originh", "responh")
PORT_COLUMNS = ("originp", "responp")
CATEGORY_COLUMN = "traffic_category"
LABEL_COLUMN = "Label"

FLOW_FEATURES = (
    "flow_duration",
    "fwd_pkts_tot",
    "bwd_pkts_tot",
    "fwd_data_pkts_tot",
    "bwd_data_pkts_tot",
    "fwd_pkts_per_sec",
    "bwd_pkts_per_sec",
    "flow_pkts_per_sec",
    "down_up_ratio",
    "fwd_header_size_tot",
    "fwd_header_size_min",
    "fwd_header_size_max",
    "bwd_header_size_tot",
    "bwd_header_size_min",
    "bwd_header_size_max",
    "flow_FIN_flag_count",
    "flow_SYN_flag_count",
    "flow_RST_flag_count",
    "fwd_PSH_flag_count",
    "bwd_PSH_flag_count",
    "flow_ACK_flag_count",
    "fwd_URG_flag_count",
    "bwd_URG_flag_count",
    "flow_CWR_flag_count",
    "flow_ECE_flag_count",
    "fwd_pkts_payload.min",
    "fwd_pkts_payload.max",
    "fwd_pkts_payload.tot",
    "fwd_pkts_payload.avg",
    "fwd_pkts_payload.std",
    "bwd_pkts_payload.min",
    "bwd_pkts_payload.max",
    "bwd_pkts_payload.tot",
    "bwd_pkts_payload.avg",
    "bwd_pkts_payload.std",
    "flow_pkts_payload.min",
    "flow_pkts_payload.max",
    "flow_pkts_payload.tot",
    "flow_pkts_payload.avg",
    "flow_pkts_payload.std",
    "fwd_iat.min",
    "fwd_iat.max",
    "fwd_iat.tot",
    "fwd_iat.avg",
    "fwd_iat.std",
    "bwd_iat.min",
    "bwd_iat.max",
    "bwd_iat.tot",
    "bwd_iat.avg",
    "bwd_iat.std",
    "flow_iat.min",
    "flow_iat.max",
    "flow_iat.tot",
    "flow_iat.avg",
    "flow_iat.std",
    "payload_bytes_per_second",
    "fwd_subflow_pkts",
    "bwd_subflow_pkts",
    "fwd_subflow_bytes",
    "bwd_subflow_bytes",
    "fwd_bulk_bytes",
    "bwd_bulk_bytes",
    "fwd_bulk_packets",
    "bwd_bulk_packets",
    "fwd_bulk_rate",
    "bwd_bulk_rate",
    "active.min",
    "active.max",
    "active.tot",
    "active.avg",
    "active.std",
    "idle.min",
    "idle.max",
    "idle.tot",
    "idle.avg",
    "idle.std",
    "fwd_init_window_size",
    "bwd_init_window_size",
    "fwd_last_window_size",
)

INT_FEATURES = frozenset(
    {
        "fwd_pkts_tot",
        "bwd_pkts_tot",
        "fwd_data_pkts_tot",
        "bwd_data_pkts_tot",
        "fwd_header_size_tot",
        "fwd_header_size_min",
        "fwd_header_size_max",
        "bwd_header_size_tot",
        "bwd_header_size_min",
        "bwd_header_size_max",
        "flow_FIN_flag_count",
        "flow_SYN_flag_count",
        "flow_RST_flag_count",
        "fwd_PSH_flag_count",
        "bwd_PSH_flag_count",
        "flow_ACK_flag_count",
        "fwd_URG_flag_count",
        "bwd_URG_flag_count",
        "flow_CWR_flag_count",
        "flow_ECE_flag_count",
        "fwd_init_window_size",
        "bwd_init_window_size",
        "fwd_last_window_size",
    }
)

# Columns as pandas names them, in file order.
COLUMNS = (
    INDEX_COLUMNS
    + ("uid", "originh", "originp", "responh", "responp")
    + FLOW_FEATURES
    + (CATEGORY_COLUMN, LABEL_COLUMN)
)

# dtypes of the full file (no value is missing there).
DTYPES: dict[str, str] = {}
for _c in COLUMNS:
    if _c in ID_COLUMNS or _c == CATEGORY_COLUMN:
        DTYPES[_c] = "object"
    elif _c in INDEX_COLUMNS or _c in PORT_COLUMNS or _c in INT_FEATURES or _c == LABEL_COLUMN:
        DTYPES[_c] = "int64"
    else:
        DTYPES[_c] = "float64"
del _c

CATEGORIES = (
    "Benign",
    "Background",
    "Probing",
    "Bruteforce",
    "Bruteforce-XML",
    "XMRIGCC CryptoMiner",
)
BENIGN_CATEGORIES = ("Benign", "Background")
ATTACK_CATEGORIES = ("Probing", "Bruteforce", "Bruteforce-XML", "XMRIGCC CryptoMiner")

# Full-file class counts (555,278 rows).
FULL_FILE_COUNTS = {
    "Benign": 347_431,
    "Background": 170_151,
    "Probing": 23_388,
    "Bruteforce": 5_884,
    "Bruteforce-XML": 5_145,
    "XMRIGCC CryptoMiner": 3_279,
}
FULL_FILE_ROWS = sum(FULL_FILE_COUNTS.values())

# The statistic groups that satisfy min <= avg <= max in every real flow.
STAT_GROUPS = (
    "fwd_pkts_payload",
    "bwd_pkts_payload",
    "flow_pkts_payload",
    "fwd_iat",
    "bwd_iat",
    "flow_iat",
    "active",
    "idle",
)

assert len(COLUMNS) == 88 and len(FLOW_FEATURES) == 79
assert sum(v == "int64" for v in DTYPES.values()) == 28  # 26 + the two indexes
