"""Where a delivery may go, and the one HTTP client that takes it there (README "Webhooks", "SSRF").

A webhook URL is chosen by an administrator, but the server fetches it: without care it could reach
the cloud's metadata service (and its credentials), the database or Redis on the private network,
or the platform itself on loopback. So:

- at create/update, the URL is validated: https only (plain http only with
  WEBHOOKS_ALLOW_PRIVATE_TARGETS), no credentials in it, an IP literal or a name that already
  resolves to a refused address is refused with a clear message;
- at delivery time, the host name is resolved again (DNS can change after the check, or answer
  differently each time), EVERY address it resolves to is checked, and the request goes to the
  checked address itself: no second lookup, the Host header and TLS (SNI and certificate) name the
  host; no redirect is followed (a 3xx is a failure); connect and read timeouts are bounded.

Refused always: unspecified (0.0.0.0/8, ::), multicast, link-local (169.254.0.0/16, fe80::/10: the
clouds' metadata and service addresses live there), reserved, documentation and other non-public
ranges, and the cloud metadata addresses and names. Refused unless WEBHOOKS_ALLOW_PRIVATE_TARGETS:
loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7) and CGNAT
(100.64.0.0/10) addresses. IPv4 embedded in IPv6 (::ffff:a.b.c.d, 64:ff9b::/96, 2002::/16) is
judged as the IPv4 address it reaches."""

import contextlib
import ipaddress
import socket
import time
import urllib.parse
from dataclasses import dataclass, field

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.169.123",  # AWS time sync
        "169.254.169.253",  # AWS DNS
        "fd00:ec2::254",  # AWS, IPv6
        "fd00:ec2::23",  # AWS DNS, IPv6
        "fd00:ec2::123",  # AWS time sync, IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer
    )
)
METADATA_NAMES = frozenset(
    (
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
        "metadata.tencentyun.com",
    )
)
LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
UNSPECIFIED = (ipaddress.ip_network("0.0.0.0/8"), ipaddress.ip_network("::/128"))
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
CGNAT = (ipaddress.ip_network("100.64.0.0/10"),)
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

# What each refusal is called in messages (and in the attempt log, by its code).
KINDS = {
    "metadata": _("a cloud metadata address"),
    "link_local": _("a link-local address"),
    "multicast": _("a multicast address"),
    "unspecified": _("an unspecified address"),
    "loopback": _("a loopback address"),
    "private": _("a private address"),
    "cgnat": _("a shared (CGNAT) address"),
    "reserved": _("a reserved or non-public address"),
}
# Refused even with WEBHOOKS_ALLOW_PRIVATE_TARGETS.
ALWAYS_REFUSED = frozenset(("metadata", "link_local", "multicast", "unspecified", "reserved"))

MAX_URL_LENGTH = 2000
MAX_RESPONSE_READ = 64 * 1024  # read at most this much of an answer (the log keeps less)
CHUNK = 4096


def _in(ip: IP, networks) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)


def _embedded_ipv4(ip: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches: IPv4-mapped, NAT64 or 6to4."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if _in(ip, NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_kind(ip: IP) -> str | None:
    """What makes `ip` a special address (a key of KINDS), or None for a public one."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return address_kind(embedded)
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if _in(ip, LINK_LOCAL) or ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified or _in(ip, UNSPECIFIED):
        return "unspecified"
    if _in(ip, LOOPBACK):
        return "loopback"
    if _in(ip, PRIVATE):
        return "private"
    if _in(ip, CGNAT):
        return "cgnat"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def refusal(ip: IP, *, allow_private: bool | None = None) -> str | None:
    """Why a delivery to `ip` is refused (a key of KINDS), or None when it may go there."""
    if allow_private is None:
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
    kind = address_kind(ip)
    if kind is None or (allow_private and kind not in ALWAYS_REFUSED):
        return None
    return kind


def ip_literal(host: str) -> IP | None:
    """`host` as an IP address when it is one, in any form the resolver would take (`127.1`,
    `2130706433`, `0x7f000001` are all 127.0.0.1)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


class Refused(Exception):
    """The target may not be reached. `code` is a key of KINDS, or `scheme`, `credentials`, ..."""

    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


class Unreachable(Exception):
    """The request could not be made or answered: DNS, connection, TLS, timeout."""


@dataclass
class Target:
    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int
    path: str  # path and query, as sent

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse(url: str, *, allow_private: bool | None = None) -> Target:
    """The URL's parts, or Refused with a message saying what is wrong with it."""
    if allow_private is None:
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise Refused(_("Enter a valid URL, without spaces."), code="invalid_url")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(_("Enter a valid URL."), code="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise Refused(_("The URL must start with https://."), code="scheme")
    if scheme == "http" and not allow_private:
        raise Refused(_("Plain http is refused: use an https:// URL."), code="insecure_scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused(
            _("Put no user name or password in the URL: receivers check the signature instead."),
            code="credentials",
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise Refused(_("The URL has no host name."), code="invalid_url")
    if not host.isascii() and ip_literal(host) is None:
        try:  # an internationalised name, as DNS and TLS know it (xn--...)
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Refused(_("Enter a valid URL."), code="invalid_url") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path)


def _refused_address(host: str, ip: IP, kind: str, *, literal: bool):
    if literal and str(ip) == host:
        message = _("{address} is {kind}: webhooks are not sent there.")
    elif literal:
        message = _("{host} is {address}, {kind}: webhooks are not sent there.")
    else:
        message = _("{host} resolves to {address}, {kind}: webhooks are not sent there.")
    return Refused(message.format(host=host, address=ip, kind=KINDS[kind]), code=kind)


def resolve(target: Target, *, allow_private: bool | None = None) -> list[IP]:
    """Every address the target's host resolves to, each checked: Refused if any is refused (or
    the name is a metadata service's), Unreachable if it does not resolve. An IP literal is not
    looked up. Plain http goes only to private addresses (it is allowed for on-premise receivers)."""
    if allow_private is None:
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
    if target.host in METADATA_NAMES:
        raise Refused(_("{host} is a cloud metadata service.").format(host=target.host), code="metadata")
    literal = ip_literal(target.host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise Unreachable(f"DNS: {target.host} does not resolve ({exc})") from None
        addresses = []
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise Unreachable(f"DNS: {target.host} has no address")
    for ip in addresses:
        kind = refusal(ip, allow_private=allow_private)
        if kind is not None:
            raise _refused_address(target.host, ip, kind, literal=literal is not None)
    if target.scheme == "http" and any(address_kind(ip) is None for ip in addresses):
        raise Refused(
            _("Plain http is only for private receivers: use an https:// URL for {host}.").format(host=target.host),
            code="insecure_scheme",
        )
    return addresses


def check_url(url: str, *, allow_private: bool | None = None) -> str:
    """The check at create/update: Refused (with a message for the form or the API) for a URL that
    could never be delivered to. A name that does not resolve yet is accepted: it is resolved and
    checked again at every delivery."""
    target = parse(url, allow_private=allow_private)
    with contextlib.suppress(Unreachable):
        resolve(target, allow_private=allow_private)
    return url


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    duration_ms: int


@dataclass
class Sender:
    """POSTs to one endpoint's URL. The host is resolved and checked once per Sender (a drain's
    batch), then each request goes to that checked address over one kept-alive connection."""

    url: str
    connect_timeout: float = field(default_factory=lambda: settings.WEBHOOKS_CONNECT_TIMEOUT)
    read_timeout: float = field(default_factory=lambda: settings.WEBHOOKS_READ_TIMEOUT)
    ca_certs: str | None = None  # tests: a CA of their own
    _pool: urllib3.HTTPConnectionPool | None = field(default=None, init=False, repr=False)
    _target: Target | None = field(default=None, init=False, repr=False)

    def _connect(self) -> tuple[urllib3.HTTPConnectionPool, Target]:
        if self._pool is None:
            target = parse(self.url)
            address = str(resolve(target)[0])
            timeout = urllib3.Timeout(connect=self.connect_timeout, read=self.read_timeout)
            common = {"port": target.port, "maxsize": 1, "block": False, "retries": False, "timeout": timeout}
            if target.scheme == "https":
                self._pool = urllib3.HTTPSConnectionPool(
                    address,
                    cert_reqs="CERT_REQUIRED",
                    server_hostname=target.host,
                    ca_certs=self.ca_certs,
                    **common,
                )
            else:
                self._pool = urllib3.HTTPConnectionPool(address, **common)
            self._target = target
        return self._pool, self._target

    def post(self, body: bytes, headers: dict[str, str]) -> Response:
        """One POST, no redirect followed. Refused (SSRF), Unreachable (no answer in time, no
        connection), or the Response (any status)."""
        pool, target = self._connect()
        started = time.monotonic()
        deadline = started + self.connect_timeout + self.read_timeout
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
                release_conn=False,
            )
            try:
                data, complete = b"", False
                while len(data) < MAX_RESPONSE_READ and time.monotonic() < deadline:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        complete = True
                        break
                    data += chunk
                status, answer_headers = response.status, dict(response.headers.items())
            finally:
                if complete:
                    response.release_conn()
                else:  # a long or slow answer: not read to its end, so the connection cannot be reused
                    response.close()
                    pool.close()
                    self._pool = None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:  # ValueError: a URL http.client refuses
            self.close()
            raise Unreachable(_describe(exc)) from None
        return Response(status, answer_headers, data, int((time.monotonic() - started) * 1000))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # a subclass of ConnectTimeoutError
        return f"connection failed: {exc}"[:300]
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "timeout: no connection within the connect timeout"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "timeout: no answer within the read timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS: {exc}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
