"""IP network built-ins (cidrsubnet, cidrhost, ...), on the standard ipaddress module."""

from __future__ import annotations

import ipaddress
from typing import Any

from citywatch.parsers.terraform.fn_collections import as_int
from citywatch.parsers.terraform.values import EvalError, to_str

# ---- network -------------------------------------------------------------------------------


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_str(prefix), strict=False)
    except ValueError as exc:
        raise EvalError(f"invalid CIDR: {exc}") from None


def f_cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    bits = as_int(newbits)
    num = as_int(netnum)
    new_len = net.prefixlen + bits
    if new_len > net.max_prefixlen or num < 0 or num >= 2**bits:
        raise EvalError("cidrsubnet: not enough address space")
    base = int(net.network_address) + (num << (net.max_prefixlen - new_len))
    addr = ipaddress.ip_address(base) if net.version == 4 else ipaddress.IPv6Address(base)
    return f"{addr}/{new_len}"


def f_cidrhost(prefix: Any, hostnum: Any) -> Any:
    net = _network(prefix)
    num = as_int(hostnum)
    size = net.num_addresses
    if num < 0:
        num += size
    if num < 0 or num >= size:
        raise EvalError("cidrhost: host number out of range")
    return str(net.network_address + num)


def f_cidrnetmask(prefix: Any) -> Any:
    return str(_network(prefix).netmask)


def f_cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    net = _network(prefix)
    out: list[str] = []
    cursor = int(net.network_address)
    for nb in newbits:
        length = net.prefixlen + as_int(nb)
        size = 1 << (net.max_prefixlen - length)
        cursor = (cursor + size - 1) // size * size
        addr = ipaddress.ip_address(cursor) if net.version == 4 else ipaddress.IPv6Address(cursor)
        out.append(f"{addr}/{length}")
        cursor += size
    return out
