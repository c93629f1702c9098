"""SSRF: every kind of refused address, at creation (a clear 400) and at delivery time (resolved
again, each address checked, the request sent to the checked address itself), metadata refused
even with WEBHOOKS_ALLOW_PRIVATE_TARGETS, and TLS checked against the host name, not the address."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lms.errors import InvalidInput
from lms.events import publish
from webhooks import services, targets
from webhooks.models import Attempt, Delivery

from .receiver import Receiver

pytestmark = pytest.mark.django_db

REFUSED = [
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.10", "private"),
    ("fd12:3456::1", "private"),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("100.64.0.1", "cgnat"),
    ("169.254.1.1", "link_local"),
    ("fe80::1", "link_local"),
    ("169.254.169.254", "metadata"),
    ("169.254.170.2", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("100.100.100.200", "metadata"),
    ("168.63.129.16", "metadata"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
    ("2002:a9fe:a9fe::1", "metadata"),  # 6to4 of 169.254.169.254
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "reserved"),  # documentation
    ("198.18.0.1", "reserved"),  # benchmarking
]
PRIVATE_KINDS = {"private", "loopback", "cgnat"}


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_each_kind_of_special_address_is_refused(address, kind):
    ip = ipaddress.ip_address(address)
    assert targets.refusal(ip, allow_private=False) == kind
    # WEBHOOKS_ALLOW_PRIVATE_TARGETS lets private, loopback and CGNAT through, never the rest.
    assert targets.refusal(ip, allow_private=True) == (None if kind in PRIVATE_KINDS else kind)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert targets.refusal(ipaddress.ip_address(address), allow_private=False) is None


@pytest.mark.parametrize(
    ("host", "address"), [("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
                          ("[::1]", "::1"), ("10.0.0.1", "10.0.0.1")]
)  # fmt: skip
def test_ip_literals_in_any_form_are_read_as_the_resolver_would(host, address):
    assert targets.ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "1e100.net", "cafe.example", "hooks-1.example.org"])
def test_names_are_not_ip_literals(host):
    assert targets.ip_literal(host) is None


# --- at creation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("http://hooks.example.com/x", "insecure_scheme", "Plain http is refused: use an https:// URL."),
        ("ftp://hooks.example.com/x", "scheme", "The URL must start with https://."),
        ("file:///etc/passwd", "scheme", "The URL must start with https://."),
        ("gopher://hooks.example.com:70/x", "scheme", "The URL must start with https://."),
        ("hooks.example.com/x", "scheme", "The URL must start with https://."),
        ("https://user:pw@hooks.example.com/x", "credentials", "Put no user name or password in the URL"),
        ("https://token@hooks.example.com/x", "credentials", "Put no user name or password in the URL"),
        ("https:///x", "invalid_url", "The URL has no host name."),
        ("https://hooks.example.com:99999/x", "invalid_url", "Enter a valid URL."),
        ("https://hooks.example.com/a b", "invalid_url", "Enter a valid URL, without spaces."),
        ("https://10.0.0.5/x", "private", "10.0.0.5 is a private address: webhooks are not sent there."),
        ("https://127.0.0.1:8000/x", "loopback", "127.0.0.1 is a loopback address"),
        ("https://[::1]/x", "loopback", "::1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/x", "loopback", "::ffff:127.0.0.1 is ::ffff:7f00:1, a loopback address"),
        ("https://2130706433/x", "loopback", "2130706433 is 127.0.0.1, a loopback address"),
        ("https://169.254.169.254/latest/meta-data/", "metadata", "169.254.169.254 is a cloud metadata address"),
        ("https://metadata.google.internal/computeMetadata/v1/", "metadata", "is a cloud metadata service"),
        ("https://localhost/x", "loopback", "localhost resolves to"),
    ],
)
def test_bad_urls_are_refused_at_creation_with_a_clear_message(admin_user, settings, url, code, message):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(actor=admin_user, url=url, events=["user.created"])
    assert refused.value.code == code
    assert refused.value.extra == {"field": "url"}
    assert message in str(refused.value.message)


def test_metadata_is_refused_at_creation_even_with_private_targets_allowed(admin_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    services.endpoint_create(actor=admin_user, url="http://10.0.0.5:8080/x", events=["user.created"])
    for url in ("http://169.254.169.254/latest/", "https://[fd00:ec2::254]/", "http://metadata.google.internal/"):
        with pytest.raises(InvalidInput) as refused:
            services.endpoint_create(actor=admin_user, url=url, events=["user.created"])
        assert refused.value.code == "metadata"


def test_a_name_that_resolves_to_a_refused_address_is_refused_at_creation(admin_user, settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    dns.answers["internal.example.com"] = ["93.184.215.14", "10.0.0.9"]  # one bad address is enough
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(actor=admin_user, url="https://internal.example.com/x", events=["user.created"])
    assert str(refused.value.message) == (
        "internal.example.com resolves to 10.0.0.9, a private address: webhooks are not sent there."
    )


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_at_delivery(admin_user, settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    endpoint = services.endpoint_create(actor=admin_user, url="https://not-yet.invalid/x", events=["user.created"])
    assert endpoint.url == "https://not-yet.invalid/x"


# --- at delivery time ----------------------------------------------------------------------------
def _deliver_once(endpoint, student):
    publish("user.created", student)
    result = services.endpoint_drain(endpoint_id=endpoint.pk)
    return result, Attempt.objects.filter(delivery__endpoint=endpoint).latest("id")


def test_a_name_rebound_to_loopback_after_the_check_is_refused_at_delivery(
    receiver, make_endpoint, student, settings, dns
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    dns.answers["rebind.example.com"] = ["93.184.215.14"]  # public when checked
    endpoint = make_endpoint(f"https://rebind.example.com:{receiver.port}/hooks", events=["user.created"])
    dns.answers["rebind.example.com"] = ["127.0.0.1"]  # loopback when delivered

    result, attempt = _deliver_once(endpoint, student)

    assert result.failed == 1 and receiver.requests == []
    assert attempt.error == (
        "refused: rebind.example.com resolves to 127.0.0.1, a loopback address: webhooks are not sent there."
    )
    assert Delivery.objects.get().status == "pending"  # retried: DNS may change back


def test_localhost_is_refused_at_delivery(receiver, make_endpoint, student, settings):
    endpoint = make_endpoint(receiver.url_for("localhost"), events=["user.created"])  # allowed for the test...
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False  # ...then not

    result, attempt = _deliver_once(endpoint, student)

    assert result.failed == 1 and receiver.requests == []
    assert attempt.error.startswith("refused: ")
    assert "a loopback address" in attempt.error or "Plain http" in attempt.error


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "::1", "169.254.169.254", "::ffff:127.0.0.1"])
def test_a_name_resolving_to_a_refused_address_is_never_connected_to(
    receiver, make_endpoint, student, settings, dns, address
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    dns.answers["hooks.example.com"] = ["93.184.215.14"]
    endpoint = make_endpoint("https://hooks.example.com/x", events=["user.created"])
    dns.answers["hooks.example.com"] = ["93.184.215.14", address]

    result, attempt = _deliver_once(endpoint, student)

    assert result.failed == 1
    assert f"resolves to {ipaddress.ip_address(address)}" in attempt.error


def test_metadata_is_refused_at_delivery_even_with_private_targets_allowed(receiver, make_endpoint, student, dns):
    dns.answers["hooks.example.com"] = ["127.0.0.1"]
    endpoint = make_endpoint(receiver.url_for("hooks.example.com"), events=["user.created"])
    dns.answers["hooks.example.com"] = ["169.254.169.254"]

    result, attempt = _deliver_once(endpoint, student)

    assert result.failed == 1 and receiver.requests == []
    assert "a cloud metadata address" in attempt.error


def test_plain_http_goes_only_to_private_receivers(admin_user, make_endpoint, student, settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    dns.answers["hooks.example.com"] = ["93.184.215.14"]
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(actor=admin_user, url="http://hooks.example.com/x", events=["user.created"])
    assert refused.value.code == "insecure_scheme"

    dns.answers["hooks.example.com"] = ["10.0.0.8"]  # on-premise when created
    endpoint = make_endpoint("http://hooks.example.com/x", events=["user.created"])
    dns.answers["hooks.example.com"] = ["93.184.215.14"]  # public when delivered

    _result, attempt = _deliver_once(endpoint, student)

    assert attempt.error == (
        "refused: Plain http is only for private receivers: use an https:// URL for hooks.example.com."
    )


def test_the_request_goes_to_the_checked_address_without_a_second_lookup(receiver, make_endpoint, student, dns):
    dns.answers["hooks.example.com"] = ["127.0.0.1"]
    endpoint = make_endpoint(receiver.url_for("hooks.example.com"), events=["user.created"])
    dns.asked.clear()

    result, _attempt = _deliver_once(endpoint, student)

    assert result.succeeded == 1
    assert dns.asked == ["hooks.example.com"]  # once, at the check; the connection used its answer
    assert receiver.requests[0].header("Host") == f"hooks.example.com:{receiver.port}"


# --- TLS: the certificate is checked against the host name, while connecting to the address -------
def _certificate(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return str(cert_path), context


@pytest.mark.parametrize(("certified", "ok"), [("hooks.example.com", True), ("other.example.com", False)])
def test_tls_names_the_host_while_connecting_to_the_checked_address(tmp_path, settings, dns, certified, ok):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    ca, context = _certificate(tmp_path, certified)
    dns.answers["hooks.example.com"] = ["127.0.0.1"]
    with Receiver(tls=context) as receiver:
        sender = targets.Sender(receiver.url_for("hooks.example.com"), ca_certs=ca)
        try:
            if ok:
                response = sender.post(b"{}", {"Content-Type": "application/json"})
                assert response.status == 200
                assert receiver.requests[0].header("Host") == f"hooks.example.com:{receiver.port}"
            else:
                with pytest.raises(targets.Unreachable, match="TLS"):
                    sender.post(b"{}", {"Content-Type": "application/json"})
                assert receiver.requests == []
        finally:
            sender.close()
    assert dns.asked == ["hooks.example.com"]
