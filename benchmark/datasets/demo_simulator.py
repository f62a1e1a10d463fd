"""The embedded demo data set: simulated flows in the exact HIKARI-2021 layout.

``simulate_flows`` draws, per flow, a packet sequence (timestamps, direction,
payload and header sizes, TCP flags, window sizes) from a behaviour template
of its traffic class, and computes the 79 flow features from the packets the
way the Zeek FlowMeter plugin does, so every identity of
``hikari_identities`` holds in every row.  ``write_demo_csv`` writes the table
with the real file's header (first field empty, second ``Unnamed: 0``).

Fidelity notes.  Classes come in HIKARI's full-file proportions.  The profiles
follow the real traffic's shape (probing: 1-3 packet SYN/RST flows; brute
force: TLS sessions of ~15 packets each way lasting seconds, like the real
Bruteforce-XML rows; crypto-mining: long periodic stratum sessions with idle
periods; benign and background: mostly single-packet flows, DNS, web, downloads)
and overlap on purpose (benign WordPress users, internet scanners with nmap's
signature, benign long-lived keep-alive sessions).  Bulk features follow
FlowMeter's definition (runs of >= 5 same-direction data packets less than 1 s
apart) without its double count of an unfinished run at the end of a flow.
Flows are cut at ``MAX_PACKETS`` packets and ``MAX_DURATION_S`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.datasets.hikari_layout import (
    ATTACK_CATEGORIES,
    CATEGORIES,
    COLUMNS,
    DTYPES,
    FLOW_FEATURES,
    FULL_FILE_COUNTS,
    RAW_LEADING,
)

MAX_PACKETS = 1000
MAX_DURATION_S = 300.0
MIN_PER_CATEGORY = 5
CAPTURE_START = 1_617_235_200.0  # 2021-04-01, seconds since the epoch
CAPTURE_SPAN_S = 7 * 86_400.0
_CHUNK_PACKETS = 3_000_000

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 1, 2, 4, 8, 16, 32, 64, 128
F, B = 0, 1  # forward (originator -> responder), backward

# A law is (kind, a, b, lo, hi): FIXED a + uniform integer in [-b, b];
# LOGN median a, log-sd b, clipped to [lo, hi]; UNIF uniform on [lo, hi];
# SPLIT (payloads only) the total a shared by the packets of a burst.
ZERO, FIXED, LOGN, UNIF, SPLIT = range(5)
# A gap is (scale, a, b): a * exp(b * z) times 1 (US), the flow's RTT, its
# think time or its period, in microseconds.
US, RTT, THINK, PERIOD = range(4)


def fixed(v, jitter=0):
    return (FIXED, v, jitter, 0, 0)


def logn(median, sigma, lo, hi):
    return (LOGN, median, sigma, lo, hi)


def split(total):
    return (SPLIT, total, 0, 0, 0)


NOPAY = (ZERO, 0, 0, 0, 0)


@dataclass(frozen=True)
class Burst:
    """Consecutive packets in one direction with the same flags."""

    dir: int
    flags: int
    pay: tuple = NOPAY
    n: tuple = (1, 1)  # packets: uniform integer in [lo, hi]
    gap: tuple = (US, 40.0, 0.5)  # before the first packet
    hdr: tuple = (32, 32, 0.0)  # header size h1, or h2 with probability p
    intra: tuple = (120.0, 0.4)  # median and log-sd of gaps inside the burst (us)


@dataclass(frozen=True)
class Template:
    """A flow behaviour: prefix, ``k`` repeated rounds, suffix; per-flow laws."""

    tcp: bool
    prefix: tuple
    rounds: tuple = ()
    suffix: tuple = ()
    k: tuple = fixed(0)
    rtt: tuple = logn(3_000, 0.8, 100, 400_000)
    think: tuple = logn(200_000, 1.0, 1_000, 60e6)
    period: tuple = logn(30e6, 0.3, 1e6, 120e6)
    win: tuple = ((64240, 29200), (65160, 28960), (502, 501, 229), (509, 235, 83))
    no_ts: float = 0.0  # share of flows whose client sends no TCP timestamps
    ports: tuple = ((443,), (1.0,))  # responder ports and probabilities (0: any)


def _syn(hdr=40):
    return Burst(F, SYN, hdr=(hdr, hdr, 0.0))


_SYNACK = Burst(B, SYN | ACK, gap=(RTT, 1.0, 0.1), hdr=(40, 40, 0.0))
_ACK_F = Burst(F, ACK, gap=(US, 40.0, 0.5))
_ACK_B = Burst(B, ACK, gap=(RTT, 0.5, 0.2), hdr=(32, 44, 0.2))
_CLOSE = (
    Burst(F, FIN | ACK, gap=(US, 30.0, 0.5)),
    Burst(B, FIN | ACK, gap=(RTT, 1.0, 0.2), hdr=(32, 44, 0.2)),
    Burst(F, ACK, gap=(US, 40.0, 0.5)),
)


def _tls(ch, cert_total, tail, ticket, server_us):
    """Handshake + TLS 1.2 negotiation (client hello, certificate, key exchange)."""
    return (
        _syn(),
        _SYNACK,
        _ACK_F,
        Burst(F, PSH | ACK, ch, gap=(US, 60.0, 0.5)),
        _ACK_B,
        Burst(B, PSH | ACK, split(cert_total), n=(1, 2), gap=(US, server_us, 0.5), hdr=(32, 44, 0.2)),
        Burst(B, PSH | ACK, tail, gap=(US, 30.0, 0.5), hdr=(32, 44, 0.2)),
        _ACK_F,
        Burst(F, PSH | ACK, logn(126, 0.05, 90, 200), gap=(US, 1500.0, 0.5)),
        _ACK_B,
        Burst(B, PSH | ACK, ticket, gap=(US, 800.0, 0.5), hdr=(32, 44, 0.2)),
    )


_ONE = (FIXED, 1, 0, 0, 0)
_PY_CLIENT_HELLO = (FIXED, 517, 0, 0, 0)  # python-requests / OpenSSL
_SCAN_RTT = (LOGN, 20_000, 0.8, 200, 400_000)


def _wp_session(req, body, resp, resp_mss, resp_tail, think, ch=_PY_CLIENT_HELLO, k=_ONE, **kw):
    """A TLS session to a WordPress server: request, server think time, response, close.

    With the defaults it has the shape of the real Bruteforce-XML rows: 15
    forward / 13-14 backward packets, 6 forward data packets, FIN, SYN and RST
    counts of 2, windows 29200 / 65160, a forward RST last.
    """
    b_hdr = (32, 44, 0.2)
    rounds = (
        _ACK_F,
        Burst(F, PSH | ACK, req, gap=(US, 150.0, 0.5)),
        Burst(F, PSH | ACK, body, gap=(US, 40.0, 0.5)),
        Burst(F, PSH | ACK, fixed(30, 1), gap=(US, 30.0, 0.5)),
        Burst(B, ACK, n=(1, 3), gap=(RTT, 0.5, 0.2), hdr=b_hdr),
        Burst(B, PSH | ACK, resp, gap=(THINK, 1.0, 0.0), hdr=b_hdr),
        Burst(B, PSH | ACK, fixed(1448), n=resp_mss, gap=(US, 40.0, 0.5), hdr=b_hdr),
        Burst(B, PSH | ACK, resp_tail, n=(0, 1) if resp_mss[1] else (0, 0), gap=(US, 40.0, 0.5), hdr=b_hdr),
        _ACK_F,
    )
    suffix = (
        Burst(F, PSH | ACK, fixed(31), gap=(US, 2e5, 0.3)),
        Burst(F, FIN | ACK, gap=(US, 30.0, 0.5)),
        Burst(B, ACK, gap=(RTT, 0.5, 0.2), hdr=b_hdr),
        Burst(B, PSH | ACK, fixed(31), gap=(US, 30.0, 0.5), hdr=b_hdr),
        Burst(B, FIN | ACK, gap=(US, 20.0, 0.5), hdr=b_hdr),
        Burst(F, ACK, n=(0, 1), gap=(US, 40.0, 0.5)),
        Burst(F, RST, n=(2, 2), gap=(RTT, 1.0, 0.2), hdr=(20, 20, 0.0), intra=(15.0, 0.5)),
    )
    prefix = _tls(ch, 2896, logn(1229, 0.01, 1100, 1448), logn(258, 0.01, 250, 270), 9000.0)
    defaults = dict(rtt=logn(3_000, 0.3, 500, 20_000), think=think, win=((29200,), (65160,), (501,), (509,)))
    defaults.update(kw)
    return Template(True, prefix, rounds, suffix, k=k, **defaults)


def _one(direction, flags, hdr, pay=NOPAY, **kw):
    return Template(True, (Burst(direction, flags, pay, hdr=(hdr, hdr, 0.0)),), **kw)


def _scan(n_reply, hdr, wins, ports, retry=False, rtt=_SCAN_RTT):
    """A SYN probe: no reply (n_reply 0, maybe one retry), RST-ACK (1) or SYN-ACK + RST (2)."""
    bursts = [Burst(F, SYN, hdr=hdr)]
    if n_reply == 0 and retry:
        bursts.append(Burst(F, SYN, n=(0, 1), gap=(US, 1.0e6, 0.1), hdr=hdr))
    if n_reply == 1:
        bursts.append(Burst(B, RST | ACK, gap=(RTT, 1.0, 0.1), hdr=(20, 20, 0.0)))
    if n_reply == 2:
        bursts.append(Burst(B, SYN | ACK, gap=(RTT, 1.0, 0.1), hdr=(24, 40, 0.5)))
        bursts.append(Burst(F, RST, gap=(US, 60.0, 0.5), hdr=(20, 20, 0.0)))
    return Template(True, tuple(bursts), rtt=rtt, win=wins, ports=ports)


_TOP_PORTS = tuple(
    int(p) for p in "21 22 23 25 53 80 110 111 135 139 143 443 445 993 995 1723 3306 3389 5900 8080".split()
)
_SCAN_PORTS = (_TOP_PORTS + (0,), (0.02,) * 20 + (0.6,))
_NOISE_PORTS = ((22, 23, 80, 443, 445, 3389, 8080, 0), (0.12, 0.12, 0.1, 0.1, 0.1, 0.08, 0.08, 0.3))
_NMAP_WIN = ((1024,), (0,), (0,), (0,))
_NOISE_WIN = ((1024, 65535, 29200, 14600), (0,), (0,), (0,))

_WEB = Template(
    True,
    _tls(logn(560, 0.3, 200, 1800), 2896, logn(900, 0.6, 50, 1448), logn(250, 0.4, 50, 1200), 4000.0),
    rounds=(
        Burst(F, PSH | ACK, logn(450, 0.6, 60, 1448), gap=(THINK, 1.0, 0.8)),
        Burst(B, ACK, n=(0, 1), gap=(RTT, 0.5, 0.2)),
        Burst(B, PSH | ACK, fixed(1448), n=(0, 12), gap=(US, 3000.0, 1.0)),
        Burst(B, PSH | ACK, logn(500, 0.9, 30, 1448), gap=(US, 80.0, 0.5)),
        Burst(F, ACK, n=(1, 2), gap=(US, 40.0, 0.5)),
    ),
    suffix=(Burst(F, PSH | ACK, fixed(31), n=(0, 1), gap=(THINK, 1.0, 1.0)), *_CLOSE),
    k=logn(3, 0.9, 1, 40),
    rtt=logn(15_000, 1.0, 300, 400_000),
    think=logn(400_000, 1.3, 2_000, 60e6),
    no_ts=0.3,
    ports=((443, 80, 8443), (0.85, 0.12, 0.03)),
)
_DOWNLOAD = Template(
    True,
    (_syn(), _SYNACK, _ACK_F, Burst(F, PSH | ACK, logn(350, 0.5, 80, 1448), gap=(US, 80.0, 0.5))),
    rounds=(
        Burst(B, PSH | ACK, fixed(1448), n=(2, 30), gap=(US, 2000.0, 1.2), intra=(60.0, 0.6)),
        Burst(F, ACK, gap=(US, 30.0, 0.5)),
    ),
    suffix=_CLOSE,
    k=logn(25, 1.0, 2, 400),
    rtt=logn(20_000, 0.8, 500, 300_000),
    no_ts=0.3,
    ports=((443, 80), (0.8, 0.2)),
)
_HTTP_API = Template(
    True,
    (
        _syn(),
        _SYNACK,
        _ACK_F,
        Burst(F, PSH | ACK, logn(700, 0.7, 80, 1448), gap=(US, 80.0, 0.5)),
        _ACK_B,
        Burst(B, PSH | ACK, logn(300, 0.9, 20, 1448), gap=(US, 5000.0, 1.0)),
        *_CLOSE,
    ),
    rtt=logn(3_000, 1.0, 100, 200_000),
    no_ts=0.3,
    ports=((80, 8080, 3000, 443, 3344), (0.4, 0.2, 0.1, 0.25, 0.05)),
)
_KEEPALIVE = Template(
    True,
    (_syn(), _SYNACK, _ACK_F, Burst(F, PSH | ACK, logn(300, 0.4, 80, 900)), _ACK_B),
    rounds=(
        Burst(F, PSH | ACK, logn(60, 0.6, 20, 400), gap=(PERIOD, 1.0, 0.05)),
        Burst(B, ACK, n=(0, 1), gap=(RTT, 1.0, 0.2)),
        Burst(B, PSH | ACK, logn(200, 0.6, 20, 900), n=(0, 1), gap=(US, 300.0, 0.8)),
        Burst(F, ACK, n=(0, 1), gap=(US, 40.0, 0.5)),
    ),
    k=logn(10, 0.7, 2, 150),
    rtt=logn(10_000, 0.8, 300, 200_000),
    period=logn(25e6, 0.5, 6e6, 120e6),
    ports=((443, 5228, 8883, 5222, 3333), (0.55, 0.15, 0.15, 0.1, 0.05)),
)
_STRATUM = Template(
    True,
    (
        _syn(),
        _SYNACK,
        _ACK_F,
        Burst(F, PSH | ACK, logn(310, 0.08, 200, 600), gap=(US, 300.0, 0.5)),
        _ACK_B,
        Burst(B, PSH | ACK, logn(430, 0.05, 300, 700), gap=(US, 20_000.0, 0.5)),
        _ACK_F,
    ),
    rounds=(
        Burst(B, PSH | ACK, logn(390, 0.06, 250, 600), gap=(PERIOD, 1.0, 0.15)),
        Burst(F, ACK, gap=(US, 50.0, 0.5)),
        Burst(F, PSH | ACK, logn(205, 0.04, 150, 300), n=(0, 1), gap=(US, 2e6, 1.0)),
        Burst(B, PSH | ACK, logn(72, 0.05, 50, 120), n=(0, 1), gap=(RTT, 1.0, 0.2)),
    ),
    k=logn(14, 0.6, 2, 200),
    rtt=logn(40_000, 0.6, 2_000, 300_000),
    period=logn(20e6, 0.5, 4e6, 90e6),
    ports=((443, 3333, 5555, 7777, 14444), (0.4, 0.3, 0.1, 0.1, 0.1)),
)
_PUSH = Template(
    True,
    _STRATUM.prefix,
    rounds=(
        Burst(B, PSH | ACK, logn(380, 0.2, 60, 1448), gap=(PERIOD, 1.0, 0.25)),
        Burst(F, ACK, gap=(US, 50.0, 0.5)),
        Burst(F, PSH | ACK, logn(200, 0.3, 30, 900), n=(0, 1), gap=(US, 2e6, 1.2)),
        Burst(B, PSH | ACK, logn(75, 0.3, 20, 400), n=(0, 1), gap=(RTT, 1.0, 0.2)),
    ),
    k=logn(12, 0.7, 2, 200),
    rtt=logn(30_000, 0.8, 1_000, 300_000),
    period=logn(25e6, 0.6, 4e6, 120e6),
    ports=((443, 5228, 8883), (0.75, 0.15, 0.1)),
)
_CC_STATUS = Template(
    True,
    (
        _syn(),
        _SYNACK,
        _ACK_F,
        Burst(F, PSH | ACK, logn(950, 0.12, 500, 1448), gap=(US, 90.0, 0.5)),
        _ACK_B,
        Burst(B, PSH | ACK, logn(170, 0.15, 80, 400), gap=(US, 4000.0, 0.6)),
        *_CLOSE,
    ),
    rtt=logn(20_000, 0.6, 1_000, 200_000),
    ports=((3344, 443, 80), (0.3, 0.6, 0.1)),
)
_TELEMETRY = Template(
    True,
    _CC_STATUS.prefix,
    rtt=logn(20_000, 0.8, 500, 300_000),
    ports=((443, 80, 8080), (0.7, 0.2, 0.1)),
)
_DNS = Template(
    False,
    (
        Burst(F, 0, logn(40, 0.25, 17, 120), hdr=(8, 8, 0.0)),
        Burst(B, 0, logn(120, 0.6, 30, 1200), n=(0, 1), gap=(RTT, 1.0, 0.3), hdr=(8, 8, 0.0)),
    ),
    rtt=logn(8_000, 1.0, 200, 500_000),
    ports=((53,), (1.0,)),
)
_UDP_STREAM = Template(
    False,
    (Burst(F, 0, logn(1250, 0.05, 1200, 1400), hdr=(8, 8, 0.0)),),
    rounds=(
        Burst(
            B,
            0,
            logn(1200, 0.3, 30, 1400),
            n=(1, 12),
            gap=(RTT, 1.0, 0.3),
            hdr=(8, 8, 0.0),
            intra=(200.0, 1.0),
        ),
        Burst(F, 0, logn(60, 0.8, 20, 1400), n=(1, 3), gap=(US, 5_000.0, 1.5), hdr=(8, 8, 0.0)),
    ),
    k=logn(8, 1.0, 1, 150),
    rtt=logn(15_000, 0.8, 500, 300_000),
    ports=((443, 3478, 19302), (0.8, 0.1, 0.1)),
)
_UDP_ONE = Template(
    False,
    (Burst(F, 0, logn(90, 1.0, 0, 1400), hdr=(8, 8, 0.0)),),
    ports=((53, 123, 137, 138, 1900, 5353, 67, 161, 0), (0.3, 0.1, 0.1, 0.08, 0.1, 0.1, 0.05, 0.02, 0.15)),
)
_SYN_RETRY = Template(
    True,
    (_syn(), Burst(F, SYN, n=(0, 1), gap=(US, 1.0e6, 0.02), hdr=(40, 40, 0.0))),
    suffix=(Burst(F, SYN, n=(0, 1), gap=(US, 2.0e6, 0.02), hdr=(40, 40, 0.0)),),
    ports=((443, 80, 22, 8080, 0), (0.4, 0.2, 0.1, 0.1, 0.2)),
)
_SYN_REJECT = Template(
    True,
    (_syn(), Burst(B, RST | ACK, gap=(RTT, 1.0, 0.1), hdr=(20, 20, 0.0))),
    rtt=logn(5_000, 1.0, 100, 300_000),
    ports=((443, 80, 22, 8080, 0), (0.3, 0.2, 0.1, 0.1, 0.3)),
)

_BF_THINK = logn(1.2e6, 0.6, 200_000, 10e6)
_XML_THINK = logn(7e6, 0.6, 1.5e6, 25e6)
TEMPLATES: dict[str, Template] = {
    "web": _WEB,
    "download": _DOWNLOAD,
    "http_api": _HTTP_API,
    "keepalive": _KEEPALIVE,
    "dns": _DNS,
    "udp_stream": _UDP_STREAM,
    "udp_one": _UDP_ONE,
    "syn_retry": _SYN_RETRY,
    "syn_reject": _SYN_REJECT,
    "tcp_ack": _one(F, ACK, 32, ports=((443, 80, 0), (0.6, 0.2, 0.2))),
    "tcp_fin": _one(F, FIN | ACK, 32, ports=((443, 80, 0), (0.6, 0.2, 0.2))),
    "tcp_rst": _one(F, RST, 20, ports=((443, 80, 0), (0.5, 0.2, 0.3))),
    "tcp_push": _one(F, PSH | ACK, 32, logn(200, 1.0, 1, 1448), ports=((443, 80, 0), (0.6, 0.2, 0.2))),
    "tcp_syn": _one(F, SYN, 40, win=((64240, 29200, 65535),) + ((0,),) * 3, ports=_NOISE_PORTS),
    "backscatter": _one(F, SYN | ACK, 24, win=((65535, 29200, 14600),) + ((0,),) * 3, ports=((0,), (1.0,))),
    "noise_syn": _scan(0, (20, 40, 0.3), _NOISE_WIN, _NOISE_PORTS),
    "noise_reject": _scan(1, (20, 24, 0.3), _NOISE_WIN, _NOISE_PORTS),
    "noise_open": _scan(2, (20, 24, 0.3), _NOISE_WIN, _NOISE_PORTS),
    "noise_nmap_syn": _scan(0, (24, 24, 0.0), _NMAP_WIN, _NOISE_PORTS, retry=True),
    "noise_nmap_reject": _scan(1, (24, 24, 0.0), _NMAP_WIN, _NOISE_PORTS),
    "nmap_syn": _scan(0, (24, 24, 0.0), _NMAP_WIN, _SCAN_PORTS, retry=True),
    "nmap_reject": _scan(1, (24, 24, 0.0), _NMAP_WIN, _SCAN_PORTS),
    "nmap_open": _scan(2, (24, 24, 0.0), _NMAP_WIN, _SCAN_PORTS),
    "bruteforce": _wp_session(
        logn(655, 0.02, 600, 720), fixed(212, 3), fixed(1448), (1, 2), logn(980, 0.1, 400, 1448), _BF_THINK
    ),
    "bruteforce_xml": _wp_session(fixed(742, 2), fixed(380, 3), fixed(611, 2), (0, 0), NOPAY, _XML_THINK),
    "wp_bot": _wp_session(
        logn(655, 0.03, 500, 900),
        fixed(212, 8),
        fixed(1448),
        (1, 3),
        logn(980, 0.2, 100, 1448),
        logn(0.9e6, 0.7, 50_000, 10e6),
    ),
    "xmlrpc_client": _wp_session(
        fixed(742, 4), fixed(380, 8), logn(611, 0.03, 300, 1200), (0, 0), NOPAY, logn(4.5e6, 0.7, 3e5, 25e6)
    ),
    "wp_user": _wp_session(
        logn(680, 0.15, 300, 1448),
        logn(300, 0.6, 20, 1448),
        logn(700, 0.5, 60, 1448),
        (0, 4),
        logn(800, 0.5, 100, 1448),
        logn(1.5e6, 1.0, 50_000, 25e6),
        ch=logn(530, 0.1, 300, 1800),
        k=logn(1, 0.4, 1, 3),
        rtt=logn(5_000, 0.8, 300, 300_000),
        win=((29200, 64240), (65160,), (501, 502, 229), (509,)),
        no_ts=0.2,
    ),
    "push": _PUSH,
    "telemetry": _TELEMETRY,
    "stratum": _STRATUM,
    "cc_status": _CC_STATUS,
}

# Behaviour mixture of each class: template -> share.
MIXTURES: dict[str, dict[str, float]] = {
    "Benign": {
        "udp_one": 0.40, "tcp_ack": 0.15, "tcp_fin": 0.05, "tcp_rst": 0.05, "tcp_push": 0.05,
        "tcp_syn": 0.03, "dns": 0.07, "web": 0.076, "wp_user": 0.01, "wp_bot": 0.012, "xmlrpc_client": 0.008,
        "download": 0.02, "keepalive": 0.008, "push": 0.006, "http_api": 0.015, "telemetry": 0.005,
        "syn_retry": 0.01,
        "syn_reject": 0.01, "udp_stream": 0.02,
    },
    "Background": {
        "udp_one": 0.45, "noise_syn": 0.22, "noise_nmap_syn": 0.03, "tcp_rst": 0.08, "tcp_ack": 0.07,
        "backscatter": 0.05, "noise_reject": 0.02, "noise_nmap_reject": 0.02, "noise_open": 0.01,
        "dns": 0.02, "web": 0.01, "keepalive": 0.01, "syn_retry": 0.01,
    },
    "Probing": {"nmap_syn": 0.45, "nmap_reject": 0.42, "nmap_open": 0.13},
    "Bruteforce": {"bruteforce": 1.0},
    "Bruteforce-XML": {"bruteforce_xml": 1.0},
    "XMRIGCC CryptoMiner": {"stratum": 0.65, "cc_status": 0.35},
}  # fmt: skip
# Attack tools take originator ports in sequence (step 2 in the real brute-force rows).
_PORT_STEP = {"Probing": 1, "Bruteforce": 2, "Bruteforce-XML": 2, "XMRIGCC CryptoMiner": 1}


# -- class sizes -----------------------------------------------------------------
def category_counts(n_rows: int) -> dict[str, int]:
    """Rows per category: full-file proportions by largest remainder, each >= MIN_PER_CATEGORY."""
    floor_rows = MIN_PER_CATEGORY * len(CATEGORIES)
    if n_rows < floor_rows:
        raise ValueError(f"n_rows must be at least {floor_rows} (got {n_rows})")
    total = sum(FULL_FILE_COUNTS.values())
    spare = n_rows - floor_rows
    quota = np.array([FULL_FILE_COUNTS[c] for c in CATEGORIES], dtype=np.float64) * n_rows / total
    want = np.maximum(quota - MIN_PER_CATEGORY, 0.0)
    want = want * spare / want.sum()
    counts = np.floor(want).astype(np.int64)
    order = np.argsort(-(want - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    return {c: int(k) + MIN_PER_CATEGORY for c, k in zip(CATEGORIES, counts)}


# -- packets ---------------------------------------------------------------------
def _draw(rng, law: np.ndarray) -> np.ndarray:
    """One draw per row of an (m, 5) array of laws."""
    kind, a, b, lo, hi = law.T
    z, u = rng.standard_normal(len(kind)), rng.random(len(kind))
    out = np.zeros(len(kind))
    m = kind == FIXED
    out[m] = a[m] + np.floor(u[m] * (2 * b[m] + 1)) - b[m]
    m = kind == LOGN
    out[m] = np.clip(a[m] * np.exp(b[m] * z[m]), lo[m], hi[m])
    m = kind == UNIF
    out[m] = lo[m] + u[m] * (hi[m] - lo[m])
    m = kind == SPLIT
    out[m] = a[m]
    return out


def _repeat_law(law: tuple, n: int) -> np.ndarray:
    return np.tile(np.asarray(law, dtype=np.float64), (n, 1))


def _choice(rng, values, n: int) -> np.ndarray:
    return np.asarray(values)[rng.integers(0, len(values), n)]


def _segment_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ragged segments of the given lengths: segment of each item, position in it."""
    seg = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return seg, np.arange(seg.size) - starts[seg]


def _template_packets(rng, tpl: Template, n_flows: int):
    """Bursts, then packets, of ``n_flows`` flows of one template (in time order)."""
    specs = tpl.prefix + tpl.rounds + tpl.suffix
    n_pre, n_rnd, n_suf = len(tpl.prefix), len(tpl.rounds), len(tpl.suffix)
    k = np.rint(_draw(rng, _repeat_law(tpl.k, n_flows))).astype(np.int64) if n_rnd else np.zeros(n_flows, int)
    scale = np.stack(
        [
            np.ones(n_flows),
            _draw(rng, _repeat_law(tpl.rtt, n_flows)),
            _draw(rng, _repeat_law(tpl.think, n_flows)),
            _draw(rng, _repeat_law(tpl.period, n_flows)),
        ]
    )
    win = np.stack([_choice(rng, w, n_flows) for w in tpl.win]).astype(np.int64)  # (4, n_flows)
    no_ts = rng.random(n_flows) < tpl.no_ts

    bflow, j = _segment_index(n_pre + k * n_rnd + n_suf)
    kk = k[bflow]
    spec = np.where(
        j < n_pre,
        j,
        np.where(j < n_pre + kk * n_rnd, n_pre + (j - n_pre) % max(n_rnd, 1), j - (kk - 1) * n_rnd),
    )
    s_dir = np.array([s.dir for s in specs], dtype=np.int8)[spec]
    s_flags = np.array([s.flags for s in specs], dtype=np.int64)[spec]
    s_n = np.array([s.n for s in specs], dtype=np.int64)[spec]
    s_gap = np.array([s.gap for s in specs], dtype=np.float64)[spec]
    s_hdr = np.array([s.hdr for s in specs], dtype=np.float64)[spec]
    s_intra = np.array([s.intra for s in specs], dtype=np.float64)[spec]
    s_pay = np.array([s.pay for s in specs], dtype=np.float64)[spec]

    n_in = s_n[:, 0] + np.floor(rng.random(spec.size) * (s_n[:, 1] - s_n[:, 0] + 1)).astype(np.int64)
    gap0 = (
        scale[s_gap[:, 0].astype(np.int64), bflow]
        * s_gap[:, 1]
        * np.exp(s_gap[:, 2] * rng.standard_normal(spec.size))
    )

    pb, pos_b = _segment_index(n_in)  # burst of each packet, position in the burst
    pay_law = s_pay[pb]
    pay = _draw(rng, pay_law)
    is_split = pay_law[:, 0] == SPLIT
    share = pay[is_split] // n_in[pb][is_split]
    pay[is_split] = share + np.where(pos_b[is_split] == 0, pay[is_split] - share * n_in[pb][is_split], 0)
    pay = np.rint(pay)
    hdr = np.where(rng.random(pb.size) < s_hdr[pb, 2], s_hdr[pb, 1], s_hdr[pb, 0]).astype(np.int64)
    intra = s_intra[pb, 0] * np.exp(s_intra[pb, 1] * rng.standard_normal(pb.size))
    gap = np.where(pos_b == 0, gap0[pb], intra)

    flow = bflow[pb]
    direction = s_dir[pb]
    flags = s_flags[pb]
    first = np.r_[True, flow[1:] != flow[:-1]]
    gap[first] = 0.0
    cum = np.cumsum(gap)
    off = np.rint(cum - cum[first][np.cumsum(first) - 1])  # microseconds since the flow's first packet
    _, pos_f = _segment_index(np.bincount(flow, minlength=n_flows))
    keep = (pos_f < MAX_PACKETS) & (off <= MAX_DURATION_S * 1e6)

    if tpl.tcp:
        shift = no_ts[flow] & (direction == F)
        hdr = np.where(shift & (flags & SYN > 0), hdr - 8, np.where(shift & (hdr >= 32), hdr - 12, hdr))
        w = np.where(flags & SYN > 0, win[direction, flow], win[2 + direction, flow])
        w = np.where(flags & RST > 0, 0, w)
    else:
        hdr = np.full(pb.size, 8, dtype=np.int64)
        w = np.zeros(pb.size, dtype=np.int64)
        flags = np.zeros(pb.size, dtype=np.int64)
    return {
        "flow": flow[keep],
        "dir": direction[keep],
        "flags": flags[keep],
        "pay": pay[keep],
        "hdr": hdr[keep],
        "off": off[keep],
        "win": w[keep],
    }


# -- FlowMeter features ------------------------------------------------------------
def _seg_stats(x, valid, starts, seg):
    """FlowMeter's min, max, tot, avg, std (sample std) of ``x[valid]`` per flow; 0 when empty."""
    c = np.add.reduceat(valid.astype(np.int64), starts)
    tot = np.add.reduceat(np.where(valid, x, 0.0), starts)
    mn = np.minimum.reduceat(np.where(valid, x, np.inf), starts)
    mx = np.maximum.reduceat(np.where(valid, x, -np.inf), starts)
    avg = np.where(c > 0, tot / np.maximum(c, 1), 0.0)
    dev = np.where(valid, x - avg[seg], 0.0)
    ss = np.add.reduceat(dev * dev, starts)
    std = np.where(c > 1, np.sqrt(ss / np.maximum(c - 1, 1)), 0.0)
    empty = c == 0
    return np.where(empty, 0.0, mn), np.where(empty, 0.0, mx), tot, avg, std


def _previous(mask, starts_of):
    """Index of the previous packet of the same flow with ``mask`` set (-1 if none)."""
    idx = np.arange(mask.size)
    last = np.maximum.accumulate(np.where(mask, idx, -1))
    prev = np.r_[-1, last[:-1]]
    return np.where(prev >= starts_of, prev, -1)


def _flowmeter(p: dict, t: np.ndarray, n_flows: int) -> dict[str, np.ndarray]:
    """The 79 FlowMeter features of flows given as contiguous, time-ordered packets."""
    fl, d, flags, pay, hdr, win = p["flow"], p["dir"], p["flags"], p["pay"], p["hdr"], p["win"]
    size = fl.size
    starts = np.flatnonzero(np.r_[True, fl[1:] != fl[:-1]])
    assert starts.size == n_flows
    seg = fl
    starts_of = starts[seg]
    first = np.zeros(size, dtype=bool)
    first[starts] = True
    last = np.r_[starts[1:], size] - 1
    fwd, bwd = d == F, d == B
    allp = np.ones(size, dtype=bool)

    def count(mask):
        return np.add.reduceat(mask.astype(np.int64), starts)

    out: dict[str, np.ndarray] = {}
    dur = t[last] - t[starts]
    n_f, n_b = count(fwd), count(bwd)
    out["flow_duration"] = dur
    out["fwd_pkts_tot"], out["bwd_pkts_tot"] = n_f, n_b
    out["fwd_data_pkts_tot"], out["bwd_data_pkts_tot"] = count(fwd & (pay > 0)), count(bwd & (pay > 0))
    pos = dur > 0
    safe = np.where(pos, dur, 1.0)
    out["fwd_pkts_per_sec"] = np.where(pos, n_f / safe, 0.0)
    out["bwd_pkts_per_sec"] = np.where(pos, n_b / safe, 0.0)
    out["flow_pkts_per_sec"] = np.where(pos, (n_f + n_b) / safe, 0.0)
    out["down_up_ratio"] = np.where(n_f > 0, n_b / np.maximum(n_f, 1), 0.0)
    for name, mask in (("fwd", fwd), ("bwd", bwd)):
        mn, mx, tot, _, _ = _seg_stats(hdr.astype(np.float64), mask, starts, seg)
        for s, v in (("tot", tot), ("min", mn), ("max", mx)):
            out[f"{name}_header_size_{s}"] = v
    has = {f: (flags & f) > 0 for f in (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR)}
    out["flow_FIN_flag_count"], out["flow_SYN_flag_count"] = count(has[FIN]), count(has[SYN])
    out["flow_RST_flag_count"] = count(has[RST])
    out["fwd_PSH_flag_count"], out["bwd_PSH_flag_count"] = count(has[PSH] & fwd), count(has[PSH] & bwd)
    out["flow_ACK_flag_count"] = count(has[ACK])
    out["fwd_URG_flag_count"], out["bwd_URG_flag_count"] = count(has[URG] & fwd), count(has[URG] & bwd)
    out["flow_CWR_flag_count"], out["flow_ECE_flag_count"] = count(has[CWR]), count(has[ECE])
    for name, mask in (("fwd", fwd), ("bwd", bwd), ("flow", allp)):
        stats = _seg_stats(pay, mask, starts, seg)
        for s, v in zip(("min", "max", "tot", "avg", "std"), stats):
            out[f"{name}_pkts_payload.{s}"] = v

    prev_f, prev_b = _previous(fwd, starts_of), _previous(bwd, starts_of)
    iat_flow = np.where(first, 0.0, (t - t[np.maximum(np.arange(size) - 1, 0)]) * 1e6)
    iat_dir = np.where(fwd, (t - t[np.maximum(prev_f, 0)]) * 1e6, (t - t[np.maximum(prev_b, 0)]) * 1e6)
    has_dir_iat = np.where(fwd, prev_f >= 0, prev_b >= 0)
    for name, mask, x in (
        ("fwd", fwd & has_dir_iat, iat_dir),
        ("bwd", bwd & has_dir_iat, iat_dir),
        ("flow", ~first, iat_flow),
    ):
        stats = _seg_stats(x, mask, starts, seg)
        for s, v in zip(("min", "max", "tot", "avg", "std"), stats):
            out[f"{name}_iat.{s}"] = v
    flow_tot = out["flow_pkts_payload.tot"]
    out["payload_bytes_per_second"] = np.where(pos, flow_tot / safe, 0.0)

    subflows = 1 + count(~first & (iat_flow > 1e6))
    out["fwd_subflow_pkts"], out["bwd_subflow_pkts"] = n_f / subflows, n_b / subflows
    out["fwd_subflow_bytes"] = out["fwd_pkts_payload.tot"] / subflows
    out["bwd_subflow_bytes"] = out["bwd_pkts_payload.tot"] / subflows
    out.update(_bulk(fl, d, pay, iat_dir, has_dir_iat, starts_of, n_flows))

    idle = ~first & (iat_flow > 5e6)
    active = ~first & ~idle
    run_start = active & np.r_[True, (first | idle)[:-1]]
    run = np.cumsum(run_start) - 1
    phase = np.zeros(size)
    phase[run_start] = np.bincount(run[active], weights=iat_flow[active], minlength=int(run_start.sum()))
    for name, x, mask in (("active", phase, run_start), ("idle", iat_flow, idle)):
        stats = _seg_stats(x, mask, starts, seg)
        for s, v in zip(("min", "max", "tot", "avg", "std"), stats):
            out[f"{name}.{s}"] = v

    idx = np.arange(size)
    first_f = np.minimum.reduceat(np.where(fwd, idx, size), starts)
    first_b = np.minimum.reduceat(np.where(bwd, idx, size), starts)
    last_f = np.maximum.reduceat(np.where(fwd, idx, -1), starts)
    win_x = np.r_[win, 0]
    out["fwd_init_window_size"] = win_x[first_f]
    out["bwd_init_window_size"] = win_x[first_b]
    out["fwd_last_window_size"] = win_x[np.where(last_f >= 0, last_f, size)]
    return out


def _bulk(fl, d, pay, iat_dir, has_dir_iat, starts_of, n_flows):
    """Bulk transfers: runs of >= 5 same-direction data packets, each < 1 s after the previous one."""
    data = pay > 0
    prev = _previous(data, starts_of)
    cont = data & (prev >= 0) & (d[np.maximum(prev, 0)] == d) & has_dir_iat & (iat_dir < 1e6)
    start = data & ~cont
    run = np.cumsum(start) - 1
    n_runs = int(start.sum())
    length = np.bincount(run[data], minlength=n_runs)
    nbytes = np.bincount(run[data], weights=pay[data], minlength=n_runs)
    secs = np.bincount(run[cont], weights=iat_dir[cont] / 1e6, minlength=n_runs)
    bulk = length >= 5
    g = (fl[start] * 2 + d[start])[bulk]
    n_bulk = np.bincount(g, minlength=2 * n_flows).reshape(n_flows, 2)
    tot_b = np.bincount(g, weights=nbytes[bulk], minlength=2 * n_flows).reshape(n_flows, 2)
    tot_p = np.bincount(g, weights=length[bulk], minlength=2 * n_flows).reshape(n_flows, 2)
    tot_s = np.bincount(g, weights=secs[bulk], minlength=2 * n_flows).reshape(n_flows, 2)
    out = {}
    for i, name in enumerate(("fwd", "bwd")):
        n = n_bulk[:, i]
        out[f"{name}_bulk_bytes"] = np.where(n > 0, tot_b[:, i] / np.maximum(n, 1), 0.0)
        out[f"{name}_bulk_packets"] = np.where(n > 0, tot_p[:, i] / np.maximum(n, 1), 0.0)
        s = tot_s[:, i]
        out[f"{name}_bulk_rate"] = np.where(s > 0, tot_b[:, i] / np.where(s > 0, s, 1.0), 0.0)
    return out


def _template_features(rng, tpl: Template, starts_abs: np.ndarray) -> dict[str, np.ndarray]:
    """Features of flows of one template starting at the given absolute times, in chunks."""
    parts = []
    n = starts_abs.size
    chunk = max(1, int(_CHUNK_PACKETS // max(1.0, _mean_packets(tpl))))
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        p = _template_packets(rng, tpl, hi - lo)
        t = starts_abs[lo:hi][p["flow"]] + p["off"] * 1e-6
        parts.append(_flowmeter(p, t, hi - lo))
    return {c: np.concatenate([q[c] for q in parts]) for c in FLOW_FEATURES}


def _mean_packets(tpl: Template) -> float:
    """Rough packets per flow (for chunking only)."""

    def burst(b):
        return (b.n[0] + b.n[1]) / 2

    k_law = tpl.k
    k = k_law[1] * (np.exp(k_law[2] ** 2 / 2) if k_law[0] == LOGN else 1.0)
    total = sum(map(burst, tpl.prefix)) + k * sum(map(burst, tpl.rounds)) + sum(map(burst, tpl.suffix))
    return min(float(total), float(MAX_PACKETS))


# -- identifiers --------------------------------------------------------------------
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def _base62(x: np.ndarray, width: int) -> np.ndarray:
    """Unsigned integers in base 62 (digits 0-9, A-Z, a-z), without leading zeros."""
    x = x.astype(np.uint64)
    digits = np.empty((x.size, width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        digits[:, k] = x % np.uint64(62)
        x = x // np.uint64(62)
    text = np.ascontiguousarray(_BASE62[digits]).view(f"S{width}").ravel().astype(f"U{width}")
    return np.char.lstrip(text, "0")


def _uids(rng, n: int) -> np.ndarray:
    """Zeek connection uids: ``C`` + base62 of a 32-bit and a 64-bit random number (as Zeek's UID)."""
    high = rng.integers(0, 2**32, n, dtype=np.uint64)
    low = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    return np.char.add(np.char.add("C", _base62(high, 6)), _base62(low, 11)).astype(object)


def _ip_pool(rng, n: int, first_octets) -> np.ndarray:
    a = _choice(rng, first_octets, n)
    b, c, d = rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(1, 255, n)
    return np.array([f"{w}.{x}.{y}.{z}" for w, x, y, z in zip(a, b, c, d)], dtype=object)


_PUBLIC = (23, 31, 34, 35, 40, 52, 64, 66, 74, 104, 142, 151, 157, 172, 185, 203, 216)


def _hosts(rng, cats: np.ndarray, templates: np.ndarray):
    """originh and responh: attackers and victims for attacks, pools for the rest."""
    n = cats.size
    victims = _ip_pool(rng, 4, (128, 139, 159))
    attackers = _ip_pool(rng, 3, (103, 36, 114))
    clients = _ip_pool(rng, 400, (10, 172, 192, 110, 182))
    servers = _ip_pool(rng, 3000, _PUBLIC)
    internet = _ip_pool(rng, 20000, _PUBLIC + (1, 45, 61, 89, 92, 112, 124, 177, 193, 212))
    orig = clients[rng.integers(0, clients.size, n)]
    resp = servers[rng.integers(0, servers.size, n)]
    bg = cats == "Background"
    orig[bg] = internet[rng.integers(0, internet.size, int(bg.sum()))]
    wordpress = np.isin(templates, ("wp_user", "wp_bot", "xmlrpc_client"))
    to_victim = np.isin(cats, ATTACK_CATEGORIES) | wordpress | (bg & (rng.random(n) < 0.5))
    resp[to_victim] = victims[rng.integers(0, victims.size, int(to_victim.sum()))]
    att = np.isin(cats, ATTACK_CATEGORIES)
    orig[att] = attackers[rng.integers(0, attackers.size, int(att.sum()))]
    return orig, resp


def _responder_ports(rng, tpl: Template, n: int) -> np.ndarray:
    ports, probs = tpl.ports
    p = np.asarray(ports, dtype=np.int64)[rng.choice(len(ports), size=n, p=np.asarray(probs) / sum(probs))]
    return np.where(p == 0, rng.integers(1, 65536, n), p)


# -- the table ----------------------------------------------------------------------------
def simulate_flows(n_rows: int = 30_000, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` simulated flows in the HIKARI-2021 layout (``hikari_layout.COLUMNS`` and ``DTYPES``).

    Rows are in flow start order; the same ``seed`` gives the same table.  Needs
    ``n_rows >= 6 * MIN_PER_CATEGORY`` (every category gets at least that many rows).
    """
    rng = np.random.default_rng(seed)
    counts = category_counts(int(n_rows))
    cat_parts, tpl_parts, feat_parts, port_parts, start_parts = [], [], [], [], []
    for cat in CATEGORIES:
        names = list(MIXTURES[cat])
        shares = np.array([MIXTURES[cat][t] for t in names])
        per_tpl = rng.multinomial(counts[cat], shares / shares.sum())
        if cat in ATTACK_CATEGORIES:  # a campaign: a window of a day or so inside the capture
            begin = CAPTURE_START + rng.random() * CAPTURE_SPAN_S * 0.8
            span = CAPTURE_SPAN_S * (0.05 + 0.1 * rng.random())
        else:
            begin, span = CAPTURE_START, CAPTURE_SPAN_S
        for name, m in zip(names, per_tpl):
            if m == 0:
                continue
            tpl = TEMPLATES[name]
            starts = np.sort(begin + rng.random(m) * span)
            feat_parts.append(_template_features(rng, tpl, starts))
            port_parts.append(_responder_ports(rng, tpl, m))
            start_parts.append(starts)
            cat_parts.append(np.full(m, cat, dtype=object))
            tpl_parts.append(np.full(m, name, dtype=object))

    start = np.concatenate(start_parts)
    order = np.argsort(start, kind="stable")
    cats = np.concatenate(cat_parts)[order]
    tpls = np.concatenate(tpl_parts)[order]
    n = cats.size
    feats = {}
    for c in FLOW_FEATURES:
        feats[c] = np.concatenate([f.pop(c) for f in feat_parts])[order].astype(DTYPES[c], copy=False)

    originp = rng.integers(32768, 61000, n)
    for cat, step in _PORT_STEP.items():
        idx = np.flatnonzero(cats == cat)  # in time order
        base = rng.integers(1024, 60000)
        originp[idx] = 1024 + (base - 1024 + step * np.arange(idx.size)) % (65536 - 1024)
    originh, responh = _hosts(rng, cats, tpls)

    cols = {
        "Unnamed: 0.1": np.arange(n),
        "Unnamed: 0": np.arange(n),
        "uid": _uids(rng, n),
        "originh": originh,
        "originp": originp,
        "responh": responh,
        "responp": np.concatenate(port_parts)[order],
        **feats,
        "traffic_category": cats,
        "Label": np.isin(cats, ATTACK_CATEGORIES).astype(np.int64),
    }
    df = pd.DataFrame({c: cols[c] for c in COLUMNS})
    return df.astype(DTYPES, copy=False)


def write_demo_csv(path, n_rows: int = 30_000, seed: int = 0) -> Path:
    """Write ``simulate_flows(n_rows, seed)`` as a CSV laid out like ALLFLOWMETER_HIKARI2021.csv."""
    path = Path(path)
    df = simulate_flows(n_rows, seed)
    header = list(RAW_LEADING) + list(df.columns[len(RAW_LEADING) :])
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, header=header)
    return path
