"""The one module for outbound HTTP: httpx with an SSRF guard at connect time, timeouts and caps."""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
import idna
from django.conf import settings

CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 20.0
MAX_REDIRECTS = 10
MAX_BODY_BYTES = 512 * 1024
REDIRECT_CODES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}

_NO_SUCH_NAME = {getattr(socket, "EAI_NONAME", -2), getattr(socket, "EAI_NODATA", -5)}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Prefixes whose IPv6 addresses carry an IPv4 address that decides where the packet really goes.
_NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
_EXTRA_REFUSED = [
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT: `is_global` is False, be explicit
    ipaddress.ip_network("fc00::/7"),
    ipaddress.ip_network("fe80::/10"),
]


def user_agent() -> str:
    return f"Readlist-linkcheck/1.0 (+{settings.SITE_URL.rstrip('/')}/; reading-list link checker)"


def default_headers() -> dict[str, str]:
    return {
        "User-Agent": user_agent(),
        "Accept": BROWSER_ACCEPT,
        "Accept-Language": "en-GB,en;q=0.8",
        # Only what `_decoded` inflates within the body cap (a brotli bomb would not be).
        "Accept-Encoding": "gzip, deflate",
    }


class MalformedURL(ValueError):
    """A URL that cannot be requested as written (bad host, port, scheme or characters).

    httpx, urllib and the IDNA codec each fail on such URLs in their own way (InvalidURL,
    ValueError, UnicodeError, IDNAError); `validate_url` turns all of them into this one."""


_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?|[a-z0-9_]", re.IGNORECASE)
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def _check_host(host: str) -> None:
    if not host:
        raise MalformedURL("no host")
    if ":" in host:  # only an IPv6 literal has colons (urlsplit removed the brackets)
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError as exc:
            raise MalformedURL(f"invalid IPv6 address {host!r}") from exc
        return
    if not host.isascii():
        try:
            host = idna.encode(host.rstrip("."), uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise MalformedURL(f"invalid international host name {host!r}: {exc}") from exc
    labels = host.rstrip(".").split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        # A host ending in a number is an IPv4 address to browsers; only the plain dotted quad is
        # unambiguous (0177.0.0.1 is 127.0.0.1 to some parsers and an error to others).
        try:
            ipaddress.IPv4Address(host.rstrip("."))
        except ValueError as exc:
            raise MalformedURL(f"invalid IPv4 address {host!r}") from exc
        return
    if len(host) > 253:
        raise MalformedURL("host name longer than 253 characters")
    for label in labels:
        if not _HOST_LABEL.fullmatch(label):
            raise MalformedURL(f"invalid host name {host!r} (label {label[:70]!r})")
        if label.lower().startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise MalformedURL(f"invalid host name {host!r}: {exc}") from exc


def validate_url(url: str) -> None:
    """Raise MalformedURL unless `url` is an http(s) URL that a request can be built from."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise MalformedURL("control character in URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
        hostname = parts.hostname or ""
    except ValueError as exc:
        raise MalformedURL(str(exc)) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise MalformedURL(f"not an http(s) URL: {url[:100]!r}")
    if port == 0:
        raise MalformedURL("port 0")
    _check_host(hostname)


class RefusedAddress(httpx.ConnectError):
    """The host resolves to an address the fetcher must not reach (SSRF guard)."""


def address_refusal(ip: IPAddress) -> str:
    """Why `ip` must not be reached, or "" when it is a global unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            inner = address_refusal(ip.ipv4_mapped)
            return f"IPv4-mapped {inner}" if inner else ""
        for net in _NAT64:
            if ip in net:
                embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
                inner = address_refusal(embedded)
                return f"NAT64 {inner}" if inner else ""
        if ip.sixtofour is not None and address_refusal(ip.sixtofour):
            return "6to4 of a non-global address"
        if ip.teredo is not None:
            return "Teredo"
    checks = [
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        (
            "shared or special-purpose",
            any(ip in net for net in _EXTRA_REFUSED if net.version == ip.version),
        ),
        ("not global", not ip.is_global),
    ]
    for label, hit in checks:
        if hit:
            return f"{label} address {ip}"
    return ""


@lru_cache(maxsize=32)
def _parse_allow(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple]:
    hosts: set[str] = set()
    nets = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return frozenset(hosts), tuple(nets)


def is_allowed(host: str, ip: IPAddress) -> bool:
    """True when settings.READLIST_FETCH_ALLOW names the host or a range holding the address."""
    hosts, nets = _parse_allow(tuple(settings.READLIST_FETCH_ALLOW))
    if host.lower().rstrip(".") in hosts:
        return True
    return any(ip.version == net.version and ip in net for net in nets)


OFFLINE = "internet access is off (READLIST_FETCH_INTERNET=0)"


def _offline_refusal(host: str, literal: IPAddress | None) -> str:
    """Why READLIST_FETCH_INTERNET=0 refuses this host ("" when it may be reached): only
    loopback and what READLIST_FETCH_ALLOW names, decided before any DNS lookup."""
    if settings.READLIST_FETCH_INTERNET:
        return ""
    name = host.lower().rstrip(".")
    hosts, nets = _parse_allow(tuple(settings.READLIST_FETCH_ALLOW))
    if name == "localhost" or name in hosts:
        return ""
    if literal is not None and (
        literal.is_loopback or any(literal.version == n.version and literal in n for n in nets)
    ):
        return ""
    return OFFLINE


def resolve_checked(host: str, port: int) -> list[IPAddress]:
    """Resolve once; refuse when any address is not global (unless allowed by the setting),
    and any host beyond loopback and the allowed ones while internet access is off."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    offline = _offline_refusal(host, literal)
    if offline:
        raise RefusedAddress(f"refused to connect to {host}: {offline}")
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = []
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if ip not in addresses:
                addresses.append(ip)
    for ip in addresses:
        reason = address_refusal(ip)
        if reason and not is_allowed(host, ip):
            raise RefusedAddress(f"refused to connect to {host}: {reason}")
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves each host once, checks every address, then connects to a checked address."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve_checked(host, port)
        except socket.gaierror as exc:
            # "No such name" is an answer about the site; anything else is about our network.
            kind = "nxdomain" if exc.errno in _NO_SUCH_NAME else "temporary"
            raise httpcore.ConnectError(f"DNS {kind}: {exc}") from exc
        except RefusedAddress as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for ip in addresses:
            try:
                return self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next checked address
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def make_client(
    *, max_connections: int = 20, connect_timeout: float = CONNECT_TIMEOUT
) -> httpx.Client:
    """An httpx client whose every connection passes the SSRF guard; redirects are followed by
    `fetch` so that each hop is timed and re-checked."""
    transport = httpx.HTTPTransport(retries=0)
    ctx = ssl.create_default_context()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ctx,
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
        http1=True,
        http2=False,
        network_backend=GuardedBackend(),
    )
    return httpx.Client(
        transport=transport,
        headers=default_headers(),
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment would bypass the address check
        timeout=httpx.Timeout(TOTAL_TIMEOUT, connect=connect_timeout),
    )


@dataclass
class Hop:
    status: int
    url: str


@dataclass
class FetchResult:
    url: str
    final_url: str = ""
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    truncated: bool = False
    hops: list[Hop] = field(default_factory=list)
    elapsed: float = 0.0
    # "" when a response arrived; else one of: timeout, dns, dns_temporary, offline, refused,
    # connect, tls, too_many_redirects, redirect_loop, protocol, bad_url (the URL or a
    # redirect's Location is malformed: see validate_url)
    error: str = ""
    error_detail: str = ""

    @property
    def network_failure(self) -> bool:
        """The request never got an HTTP answer for reasons of the network, not of the site."""
        return self.error in {"timeout", "dns", "dns_temporary", "offline", "connect", "tls"}

    @property
    def text(self) -> str:
        """The body as text, in the charset the header, a byte-order mark or the page's own
        <meta charset> names; else UTF-8, else Windows-1252 (what browsers assume)."""
        for charset in (_declared_charset(self.headers, self.body), "utf-8"):
            if not charset:
                continue
            try:
                return self.body.decode(
                    charset, errors="strict" if charset == "utf-8" else "replace"
                )
            except (LookupError, UnicodeDecodeError):
                continue
        return self.body.decode("cp1252", errors="replace")


_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _declared_charset(headers: httpx.Headers, body: bytes) -> str:
    for bom, charset in _BOMS:
        if body.startswith(bom):
            return charset
    ctype = headers.get("content-type", "")
    if "charset=" in ctype.lower():
        value = ctype[ctype.lower().index("charset=") + 8 :].split(";")[0]
        return value.strip().strip("\"'").strip()
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii").strip() if found else ""


def _decoded(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body's chunks, inflated by at most `limit` bytes at a time: a small gzip "bomb"
    (50 KB that inflate to 50 MB) costs no more memory than the body cap. An encoding not asked
    for (see default_headers) is passed on as it came."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_raw()
        return
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    first = True
    for raw in response.iter_raw():
        try:
            chunk = inflater.decompress(raw, limit)
        except zlib.error:
            if not (first and encoding == "deflate"):
                raise
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent without its header
            chunk = inflater.decompress(raw, limit)
        first = False
        yield chunk
        while inflater.unconsumed_tail:  # only when `limit` was reached: the caller stops
            yield inflater.decompress(inflater.unconsumed_tail, limit)


def _classify_exception(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if text.endswith(OFFLINE):
        return "offline"  # as if the network were absent: it is, by choice
    if text.startswith("refused to connect"):
        return "refused"
    if text.startswith("DNS nxdomain"):
        return "dns"
    if text.startswith("DNS"):
        return "dns_temporary"
    if isinstance(exc, httpx.ConnectError):
        if "SSL" in text or "certificate" in text.lower():
            return "tls"
        return "connect"
    if isinstance(
        exc, httpx.UnsupportedProtocol | httpx.InvalidURL | ValueError
    ) or text.startswith("Invalid URL in location header"):
        return "bad_url"  # MalformedURL, and what httpx, urllib or the IDNA codec raise
    if isinstance(exc, ssl.SSLError):
        return "tls"
    return "protocol"


def fetch(
    url: str,
    *,
    client: httpx.Client,
    method: str = "GET",
    params: dict | None = None,
    max_bytes: int = MAX_BODY_BYTES,
    total_timeout: float = TOTAL_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    headers: dict[str, str] | None = None,
    stop_at: bytes = b"",
    on_sent: Callable[[], None] | None = None,
    content: bytes | None = None,
    stop_when: Callable[[bytes], bool] | None = None,
) -> FetchResult:
    """Fetch `url`, following redirects by hand (each hop re-checked), reading at most `max_bytes`
    (and no further than the first `stop_at`, lower-case, when given, or than the chunk after
    which `stop_when(body so far)` says the caller has what it needs).

    `content` is the request body (a webhook's JSON); redirects never carry it, so callers that
    send one pass max_redirects=0. `on_sent` is called once, the moment the first request's
    headers have gone out (after DNS, connect and TLS), for politeness timed from the send
    rather than from the decision to send.

    Never raises for network or HTTP trouble: the result says what happened."""
    started = time.monotonic()
    deadline = started + total_timeout
    result = FetchResult(url=url)
    current = url
    seen: set[str] = set()
    extensions: dict = {}
    if on_sent is not None:
        pending = [on_sent]

        def trace(event: str, info: dict) -> None:
            if event == "http11.send_request_headers.complete" and pending:
                pending.pop()()

        extensions["trace"] = trace
    try:
        for _ in range(max_redirects + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpx.ReadTimeout("total time limit reached")
            timeout = httpx.Timeout(remaining, connect=min(connect_timeout, remaining))
            try:
                validate_url(current)
            except MalformedURL as exc:
                where = f"redirect to {current[:200]!r}: " if result.hops else ""
                raise MalformedURL(f"{where}{exc}") from exc
            request = client.build_request(
                method,
                current,
                params=params,
                headers=headers,
                timeout=timeout,
                extensions=extensions,
                content=content,
            )
            params = None  # only the first request carries them; redirects bring their own
            response = client.send(request, stream=True)
            try:
                result.status = response.status_code
                result.final_url = str(response.url)
                result.headers = response.headers
                location = response.headers.get("location")
                if response.status_code in REDIRECT_CODES and location:
                    result.hops.append(Hop(response.status_code, str(response.url)))
                    seen.add(str(response.url))
                    try:
                        current = urljoin(str(response.url), location)
                    except ValueError as exc:
                        raise MalformedURL(f"redirect to {location[:200]!r}: {exc}") from exc
                    if current in seen:
                        result.error = "redirect_loop"
                        result.error_detail = f"redirect loop back to {current}"
                        return result
                    if response.status_code == 303:
                        method = "GET"
                    continue
                body = bytearray()
                for chunk in _decoded(response, max_bytes + 1):
                    body.extend(chunk)
                    if len(body) >= max_bytes:
                        result.truncated = True
                        break
                    tail = bytes(body[-(len(chunk) + len(stop_at)) :]).lower()
                    if stop_at and stop_at in tail:
                        result.truncated = True  # e.g. the head of a page is all we need
                        break
                    if stop_when is not None and stop_when(bytes(body)):
                        result.truncated = True
                        break
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("total time limit reached while reading")
                result.body = bytes(body[:max_bytes])
                return result
            finally:
                response.close()
        result.error = "too_many_redirects"
        result.error_detail = f"more than {max_redirects} redirects"
        result.final_url = current
        return result
    except (
        httpx.HTTPError,
        httpx.InvalidURL,
        ssl.SSLError,
        OSError,
        ValueError,
        zlib.error,
    ) as exc:
        # ValueError covers MalformedURL and the UnicodeError/IDNAError of host encoding.
        result.error = _classify_exception(exc)
        result.error_detail = str(exc) or type(exc).__name__
        result.status = None
        return result
    finally:
        result.elapsed = time.monotonic() - started


def host_key(url: str) -> str:
    """The politeness key of a URL: its lower-cased host name ("" when it has none or is
    malformed: such a link fails on its own without a request)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
