"""The zhibu configuration: one TOML file plus ``ZHIBU_*`` environment overrides.

Nothing here reads the environment or the file system at import time; :func:`load_config`
receives (or looks up at call time) everything it needs.

Environment overrides are named ``ZHIBU_<SECTION>__<KEY>`` (e.g. ``ZHIBU_TELEGRAM__TOKEN``,
``ZHIBU_QUIET_HOURS__START``) and ``ZHIBU_<KEY>`` for the top-level keys (``ZHIBU_TIMEZONE``,
``ZHIBU_LOCALE``). ``ZHIBU_CONFIG`` names the file when no path is passed.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CONFIG_ENV",
    "ENV_PREFIX",
    "LOCALES",
    "TELEGRAM_MODES",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "QuietHours",
    "RunConfig",
    "TelegramConfig",
    "WechatConfig",
    "WecomConfig",
    "env_var_name",
    "load_config",
    "mask_url_password",
    "split_host_port",
]

ENV_PREFIX = "ZHIBU_"
CONFIG_ENV = "ZHIBU_CONFIG"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_LOCALE = "zh-Hans"
LOCALES = ("zh-Hans", "zh-Hant", "en")
TELEGRAM_MODES = ("polling", "webhook")

_SQLITE_PREFIX = "sqlite:///"
_POSTGRES_SCHEMES = ("postgresql", "postgres")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_AES_KEY_LENGTH = 43
_AES_KEY_RE = re.compile(r"[A-Za-z0-9+/]*")
_CLOCK_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DIGITS_RE = re.compile(r"[0-9]+")
_URL_PASSWORD_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*):[^/]*@")
_NEWLINES_RE = re.compile(r"\s*[\r\n]+\s*")

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration problem, described in one line naming the key (or file)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(_NEWLINES_RE.sub(" ", message))
        self.key = key


class _Invalid(ValueError):
    """A value failed validation; the message says what is wrong but not which key."""


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class DatabaseConfig:
    """The ``[database]`` section."""

    url: str = "sqlite:///zhibu.db"
    # Where stored files (materials, photos) live. Default: a `files` folder beside a SQLite
    # database; with PostgreSQL, `zhibu-files` in the working folder — several instances
    # must point it at one shared folder.
    files: str | None = None

    def files_dir(self) -> str:
        """The folder for stored files, as configured or by default."""
        if self.files:
            return self.files
        path = self.sqlite_path()
        if path is None or path == ":memory:":
            return "zhibu-files"
        return str(Path(path).parent / "files")

    def sqlite_path(self) -> str | None:
        """Return the file path (or ":memory:") of a sqlite URL, None for PostgreSQL."""
        if self.url.startswith(_SQLITE_PREFIX):
            return self.url[len(_SQLITE_PREFIX) :]
        return None

    def __repr__(self) -> str:
        return (f"DatabaseConfig(url={mask_url_password(self.url)!r}, "
                f"files={self.files!r})")


@dataclass(frozen=True)
class TelegramConfig:
    """The ``[telegram]`` section."""

    token: str | None = field(default=None, repr=False)
    base_url: str = "https://api.telegram.org/bot"
    mode: str = "polling"
    webhook_url: str | None = None
    listen: str = "127.0.0.1:8443"
    secret_token: str | None = field(default=None, repr=False)
    rate_limit: float = 25.0

    @property
    def enabled(self) -> bool:
        """Whether a bot token is configured."""
        return bool(self.token)

    def listen_host_port(self) -> tuple[str, int]:
        """Return the webhook ``listen`` address as (host, port)."""
        return split_host_port(self.listen)


@dataclass(frozen=True)
class WechatConfig:
    """The ``[wechat]`` section (WeChat official account)."""

    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    encoding_aes_key: str | None = field(default=None, repr=False)
    api_base_url: str = "https://api.weixin.qq.com/"
    listen: str = "127.0.0.1:8080"
    path: str = "/wechat"
    reminder_template_id: str | None = None
    rate_limit: float = 20.0

    @property
    def enabled(self) -> bool:
        """Whether app_id and token are configured."""
        return bool(self.app_id) and bool(self.token)

    @property
    def safe_mode(self) -> bool:
        """Whether messages are encrypted (an EncodingAESKey is configured)."""
        return bool(self.encoding_aes_key)

    def listen_host_port(self) -> tuple[str, int]:
        """Return the callback server ``listen`` address as (host, port)."""
        return split_host_port(self.listen)


@dataclass(frozen=True)
class WecomConfig:
    """The ``[wecom]`` section (WeCom / 企业微信 application)."""

    corp_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    agent_id: str | None = None
    api_base_url: str = "https://qyapi.weixin.qq.com/"

    @property
    def enabled(self) -> bool:
        """Whether corp_id, secret and agent_id are configured."""
        return bool(self.corp_id) and bool(self.secret) and bool(self.agent_id)


@dataclass(frozen=True)
class QuietHours:
    """The ``[quiet_hours]`` section: no proactive messages from start until end."""

    start: time = time(21, 0)
    end: time = time(7, 0)

    def contains(self, t: time) -> bool:
        """Whether wall-clock time t is inside the quiet window (start inclusive, end exclusive)."""
        t = t.replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True)
class RunConfig:
    """The ``[run]`` section: how several `zhibu run` instances on one database share roles."""

    # The scheduler and the Telegram poller run on one instance, which renews its lease on
    # the role every third of this; when it dies, another takes over within this many seconds.
    lease_seconds: float = 20.0


def _default_timezone() -> ZoneInfo:
    """Return the default time zone (looked up on use, not at import)."""
    return ZoneInfo(DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class Config:
    """The whole configuration, as returned by :func:`load_config`."""

    timezone: ZoneInfo = field(default_factory=_default_timezone)
    locale: str = DEFAULT_LOCALE
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    wechat: WechatConfig = field(default_factory=WechatConfig)
    wecom: WecomConfig = field(default_factory=WecomConfig)
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    run: RunConfig = field(default_factory=RunConfig)
    source: str | None = None


_SECTIONS: dict[str, type] = {
    "database": DatabaseConfig,
    "telegram": TelegramConfig,
    "wechat": WechatConfig,
    "wecom": WecomConfig,
    "quiet_hours": QuietHours,
    "run": RunConfig,
}
_TOP_LEVEL_KEYS = ("timezone", "locale")


# --------------------------------------------------------------------------- helpers


def mask_url_password(url: str) -> str:
    """Return url with any password in its user-info replaced by ``***``."""
    return _URL_PASSWORD_RE.sub(r"\1:***@", url)


def split_host_port(value: str) -> tuple[str, int]:
    """Split "host:port" (IPv6 host in brackets) into (host, port); ValueError if malformed."""
    host, sep, port_text = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not _DIGITS_RE.fullmatch(port_text):
        raise _Invalid(f"must be 'host:port', got {value!r}")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise _Invalid(f"port must be 1-65535, got {value!r}")
    return host, port


def _or_list(options: tuple[str, ...]) -> str:
    """Format options as "'a', 'b' or 'c'"."""
    quoted = [repr(option) for option in options]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0]


# --------------------------------------------------------------------------- validators
# Each takes the string value and returns the parsed value or raises _Invalid.
# Validators of secret keys must not put the value in their message.


def _plain(value: str) -> str:
    """Accept any string."""
    return value


def _one_of(*options: str) -> Callable[[str], str]:
    """Return a validator accepting exactly one of options."""

    def check(value: str) -> str:
        if value not in options:
            raise _Invalid(f"must be {_or_list(options)}, got {value!r}")
        return value

    return check


def _timezone(value: str) -> ZoneInfo:
    """Parse a zoneinfo key such as "Asia/Shanghai"."""
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _Invalid(f"unknown time zone {value!r}") from None


def _http_url(value: str) -> str:
    """Accept an http(s) URL with a host."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises ValueError when out of range
    except ValueError:
        ok = False
    if not ok:
        raise _Invalid(f"must be an http(s) URL with a host, got {mask_url_password(value)!r}")
    return value


def _database_url(value: str) -> str:
    """Accept sqlite:///FILE (or :memory:) and postgresql://HOST/DB URLs."""
    if value.startswith(_SQLITE_PREFIX) and len(value) > len(_SQLITE_PREFIX):
        return value
    try:
        parts = urlsplit(value)
        ok = parts.scheme in _POSTGRES_SCHEMES and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise _Invalid(
            f"malformed URL {mask_url_password(value)!r} "
            "(expected sqlite:///FILE or postgresql://HOST/DB)"
        )
    return value


def _listen(value: str) -> str:
    """Accept "host:port" with port 1-65535."""
    split_host_port(value)
    return value


def _url_path(value: str) -> str:
    """Accept an absolute URL path such as "/wechat"."""
    if not value.startswith("/"):
        raise _Invalid(f"must start with '/', got {value!r}")
    return value


def _secret_token(value: str) -> str:
    """Accept a Telegram webhook secret token (value never shown)."""
    if not _SECRET_TOKEN_RE.fullmatch(value):
        raise _Invalid(
            f"must be 1-256 characters of A-Z, a-z, 0-9, '_' or '-' (got {len(value)} "
            "characters; value not shown)"
        )
    return value


def _aes_key(value: str) -> str:
    """Accept a WeChat EncodingAESKey: 43 base64 characters (value never shown)."""
    if len(value) != _AES_KEY_LENGTH:
        raise _Invalid(
            f"must be exactly {_AES_KEY_LENGTH} characters of the base64 alphabet, "
            f"got {len(value)} characters (value not shown)"
        )
    if not _AES_KEY_RE.fullmatch(value):
        raise _Invalid(
            "must contain only base64 characters A-Z, a-z, 0-9, '+' and '/' (value not shown)"
        )
    return value


def _digits(value: str) -> str:
    """Accept a whole number written in decimal digits."""
    if not _DIGITS_RE.fullmatch(value):
        raise _Invalid(f"must be a whole number, got {value!r}")
    return value


def _clock(value: str) -> time:
    """Parse "HH:MM" between 00:00 and 23:59."""
    match = _CLOCK_RE.fullmatch(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise _Invalid(f"must be a time 'HH:MM' from 00:00 to 23:59, got {value!r}")
    return time(int(match[1]), int(match[2]))


# --------------------------------------------------------------------------- reading


_MISSING = object()


class _Reader:
    """Reads the keys of one section (or the top level) from TOML and the environment."""

    def __init__(
        self,
        section: str | None,
        table: Mapping[str, object],
        environ: Mapping[str, str],
        secrets: frozenset[str] = frozenset(),
    ) -> None:
        self.section = section
        self.table = table
        self.environ = environ
        self.secrets = secrets

    def name(self, key: str) -> str:
        """Return the dotted key name, e.g. "telegram.token"."""
        return key if self.section is None else f"{self.section}.{key}"

    def env_var(self, key: str) -> str:
        """Return the overriding variable name, e.g. "ZHIBU_TELEGRAM__TOKEN"."""
        return env_var_name(self.section, key)

    def error(self, key: str, problem: str) -> ConfigError:
        """Build the ConfigError for key."""
        return ConfigError(f"config key {self.name(key)}: {problem}", key=self.name(key))

    def type_error(self, key: str, expected: str, value: object) -> ConfigError:
        """Build the ConfigError for a value of the wrong type (secret values not shown)."""
        got = type(value).__name__
        if key not in self.secrets:
            got += f" {value!r}"
        return self.error(key, f"must be {expected}, got {got}")

    def raw(self, key: str) -> tuple[object, bool]:
        """Return (value, came_from_environment); value is _MISSING when unset."""
        var = self.env_var(key)
        if var in self.environ:
            return self.environ[var], True
        return self.table.get(key, _MISSING), False

    def string(self, key: str, ints_ok: bool = False) -> str | None:
        """Return the key's string value or None when unset; wrong types raise."""
        value, _ = self.raw(key)
        if value is _MISSING:
            return None
        if ints_ok and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.type_error(key, "a string", value)
        return value

    def parse(self, key: str, value: str, parse: Callable[[str], T]) -> T:
        """Run a validator, turning its complaint into a ConfigError naming key."""
        try:
            return parse(value)
        except _Invalid as exc:
            raise self.error(key, str(exc)) from None

    def text(self, key: str, default: str, parse: Callable[[str], T]) -> T:
        """Read a string key that has a default."""
        value = self.string(key)
        return self.parse(key, default if value is None else value, parse)

    def optional(self, key: str, parse: Callable[[str], T], ints_ok: bool = False) -> T | None:
        """Read a string key whose default is None (an empty string also means None)."""
        value = self.string(key, ints_ok)
        if not value:
            return None
        return self.parse(key, value, parse)

    def number(self, key: str, default: float) -> float:
        """Read a number > 0 (environment strings are converted to float)."""
        value, from_env = self.raw(key)
        if value is _MISSING:
            return default
        if from_env and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self.error(key, f"must be a number > 0, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.type_error(key, "a number", value)
        if not math.isfinite(value) or value <= 0:
            raise self.error(key, f"must be a number > 0, got {value!r}")
        return float(value)

    def clock(self, key: str, default: time) -> time:
        """Read an "HH:MM" time (a TOML local time such as 21:00:00 is accepted too)."""
        value, _ = self.raw(key)
        if value is _MISSING:
            return default
        if isinstance(value, time) and value.tzinfo is None:
            return value
        if not isinstance(value, str):
            raise self.type_error(key, "a string 'HH:MM'", value)
        return self.parse(key, value, _clock)


def env_var_name(section: str | None, key: str) -> str:
    """Return the environment variable overriding a key, e.g. ZHIBU_QUIET_HOURS__START."""
    name = key if section is None else f"{section}__{key}"
    return ENV_PREFIX + name.upper()


def _check_top_level(document: Mapping[str, object]) -> None:
    """Reject unknown top-level keys and sections."""
    for key, value in document.items():
        if key in _TOP_LEVEL_KEYS or key in _SECTIONS:
            continue
        if isinstance(value, dict):
            raise ConfigError(
                f"config key {key}: unknown section (known: {', '.join(_SECTIONS)})", key=key
            )
        raise ConfigError(
            f"config key {key}: unknown key (known: {', '.join(_TOP_LEVEL_KEYS)})", key=key
        )


def _section_reader(
    name: str, document: Mapping[str, object], environ: Mapping[str, str]
) -> _Reader:
    """Return a reader for section name, rejecting non-tables and unknown keys."""
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(
            f"config key {name}: must be a table [{name}], got {type(table).__name__}", key=name
        )
    fields = dataclasses.fields(_SECTIONS[name])
    known = [f.name for f in fields]
    for key in table:
        if key not in known:
            raise ConfigError(
                f"config key {name}.{key}: unknown key (known: {', '.join(known)})",
                key=f"{name}.{key}",
            )
    secrets = frozenset(f.name for f in fields if not f.repr)
    return _Reader(name, table, environ, secrets)


# --------------------------------------------------------------------------- sections


def _database(r: _Reader) -> DatabaseConfig:
    """Build the [database] section."""
    return DatabaseConfig(url=r.text("url", DatabaseConfig().url, _database_url),
                          files=r.optional("files", _plain))


def _telegram(r: _Reader) -> TelegramConfig:
    """Build the [telegram] section."""
    d = TelegramConfig()
    config = TelegramConfig(
        token=r.optional("token", _plain),
        base_url=r.text("base_url", d.base_url, _http_url),
        mode=r.text("mode", d.mode, _one_of(*TELEGRAM_MODES)),
        webhook_url=r.optional("webhook_url", _http_url),
        listen=r.text("listen", d.listen, _listen),
        secret_token=r.optional("secret_token", _secret_token),
        rate_limit=r.number("rate_limit", d.rate_limit),
    )
    if config.mode == "webhook" and config.webhook_url is None:
        raise r.error("webhook_url", "required when telegram.mode is 'webhook'")
    return config


def _wechat(r: _Reader) -> WechatConfig:
    """Build the [wechat] section."""
    d = WechatConfig()
    config = WechatConfig(
        app_id=r.optional("app_id", _plain),
        app_secret=r.optional("app_secret", _plain),
        token=r.optional("token", _plain),
        encoding_aes_key=r.optional("encoding_aes_key", _aes_key),
        api_base_url=r.text("api_base_url", d.api_base_url, _http_url),
        listen=r.text("listen", d.listen, _listen),
        path=r.text("path", d.path, _url_path),
        reminder_template_id=r.optional("reminder_template_id", _plain),
        rate_limit=r.number("rate_limit", d.rate_limit),
    )
    if config.enabled and not config.app_secret:
        raise r.error("app_secret", "required with app_id and token: without it zhibu cannot "
                                    "push reminders, alerts or a reply that takes over 5 s")
    return config


def _wecom(r: _Reader) -> WecomConfig:
    """Build the [wecom] section."""
    return WecomConfig(
        corp_id=r.optional("corp_id", _plain),
        secret=r.optional("secret", _plain),
        agent_id=r.optional("agent_id", _digits, ints_ok=True),
        api_base_url=r.text("api_base_url", WecomConfig().api_base_url, _http_url),
    )


def _quiet_hours(r: _Reader) -> QuietHours:
    """Build the [quiet_hours] section."""
    d = QuietHours()
    return QuietHours(start=r.clock("start", d.start), end=r.clock("end", d.end))


def _run(r: _Reader) -> RunConfig:
    """Build the [run] section."""
    return RunConfig(lease_seconds=r.number("lease_seconds", RunConfig().lease_seconds))


def _build(
    document: Mapping[str, object], environ: Mapping[str, str], source: str | None
) -> Config:
    """Validate a parsed TOML document with environment overrides into a Config."""
    _check_top_level(document)
    top = _Reader(None, document, environ)

    def section(name: str) -> _Reader:
        return _section_reader(name, document, environ)

    return Config(
        timezone=top.text("timezone", DEFAULT_TIMEZONE, _timezone),
        locale=top.text("locale", DEFAULT_LOCALE, _one_of(*LOCALES)),
        database=_beside(_database(section("database")), source),
        telegram=_telegram(section("telegram")),
        wechat=_wechat(section("wechat")),
        wecom=_wecom(section("wecom")),
        quiet_hours=_quiet_hours(section("quiet_hours")),
        run=_run(section("run")),
        source=source,
    )


def _beside(database: DatabaseConfig, source: str | None) -> DatabaseConfig:
    """A relative SQLite path in a config file means beside that file, wherever zhibu is
    started from (systemd, cron and a shell in another folder all find the same database)."""
    folder = Path(source).resolve().parent if source is not None else None
    files = database.files
    if folder is not None and files is not None and not Path(files).is_absolute():
        files = str(folder / files)
    path = database.sqlite_path()
    if folder is None or path is None or path == ":memory:" or Path(path).is_absolute():
        return DatabaseConfig(url=database.url, files=files)
    return DatabaseConfig(url=_SQLITE_PREFIX + str(folder / path), files=files)


# --------------------------------------------------------------------------- files


def _read_toml(source: str) -> dict[str, object]:
    """Read and parse the TOML file at source, raising ConfigError naming the file."""
    try:
        data = Path(source).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file {source!r}: not found") from None
    except OSError as exc:
        raise ConfigError(f"config file {source!r}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {source!r}: not valid UTF-8 (byte offset {exc.start})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {source!r}: invalid TOML: {exc}") from None


def _choose_source(path: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> str | None:
    """Return the config file to read: path, else $ZHIBU_CONFIG, else None."""
    if path is not None:
        return os.fspath(path)
    return environ.get(CONFIG_ENV) or None


def load_config(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Load the TOML config (path, else $ZHIBU_CONFIG, else defaults) with ZHIBU_* overrides."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    source = _choose_source(path, env)
    document = _read_toml(source) if source is not None else {}
    return _build(document, env, source)
