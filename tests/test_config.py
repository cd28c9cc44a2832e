"""Tests for bot.config: TOML loading, environment overrides and validation."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import (
    Config,
    ConfigError,
    DatabaseConfig,
    QuietHours,
    TelegramConfig,
    WechatConfig,
    WecomConfig,
    load_config,
)

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
TELEGRAM_TOKEN = "123456:TG-SECRET-TOKEN"

FULL_TOML = f"""
timezone = "Europe/Berlin"
locale = "zh-Hant"

[database]
url = "postgresql://zhibu:pw-SECRET@db.example.org:5432/zhibu"

[telegram]
token = "{TELEGRAM_TOKEN}"
base_url = "http://localhost:8081/bot"
mode = "webhook"
webhook_url = "https://bot.example.org/tg"
listen = "0.0.0.0:9443"
secret_token = "WEBHOOK_SECRET-1"
rate_limit = 10

[wechat]
app_id = "wx123"
app_secret = "WX-APP-SECRET"
token = "WX-TOKEN-SECRET"
encoding_aes_key = "{AES_KEY}"
api_base_url = "https://proxy.example.org/"
listen = "[::1]:8081"
path = "/wx/callback"
reminder_template_id = "tmpl-1"
rate_limit = 2.5

[wecom]
corp_id = "ww123"
secret = "WECOM-SECRET"
agent_id = 1000002
api_base_url = "https://qyapi.example.org/"

[quiet_hours]
start = "22:30"
end = "06:15"
"""

SECRETS = (
    TELEGRAM_TOKEN,
    "WEBHOOK_SECRET-1",
    "WX-APP-SECRET",
    "WX-TOKEN-SECRET",
    AES_KEY,
    "WECOM-SECRET",
    "pw-SECRET",
)


def write(tmp_path: Path, text: str) -> Path:
    """Write a config file and return its path."""
    path = tmp_path / "zhibu.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_from(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    """Load a config that must fail and return the error message."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), environ or {})
    return str(info.value)


# --------------------------------------------------------------------------- defaults


def test_defaults_apply_when_there_is_no_file_and_an_empty_environment() -> None:
    config = load_config(None, {})
    assert config.timezone.key == "Asia/Shanghai"
    assert config.locale == "zh-Hans"
    assert config.database == DatabaseConfig("sqlite:///zhibu.db")
    assert config.database.sqlite_path() == "zhibu.db"
    assert config.telegram == TelegramConfig()
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.telegram.mode == "polling"
    assert config.telegram.listen_host_port() == ("127.0.0.1", 8443)
    assert config.telegram.rate_limit == 25.0
    assert not config.telegram.enabled
    assert config.wechat == WechatConfig()
    assert config.wechat.api_base_url == "https://api.weixin.qq.com/"
    assert config.wechat.listen_host_port() == ("127.0.0.1", 8080)
    assert config.wechat.path == "/wechat"
    assert config.wechat.rate_limit == 20.0
    assert not config.wechat.enabled and not config.wechat.safe_mode
    assert config.wecom == WecomConfig()
    assert config.wecom.api_base_url == "https://qyapi.weixin.qq.com/"
    assert not config.wecom.enabled
    assert config.quiet_hours == QuietHours(time(21, 0), time(7, 0))
    assert config.source is None


def test_the_config_dataclass_has_the_same_defaults_as_loading_nothing() -> None:
    assert Config() == load_config(None, {})


def test_an_empty_file_gives_the_defaults_and_records_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path, {})
    assert config.source == str(path)
    assert config.telegram == TelegramConfig()


# --------------------------------------------------------------------------- full file


def test_a_full_file_with_all_sections_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_TOML), {})
    assert config.timezone.key == "Europe/Berlin"
    assert config.locale == "zh-Hant"
    assert config.database.url.startswith("postgresql://zhibu:")
    assert config.database.sqlite_path() is None
    tg = config.telegram
    assert tg.token == TELEGRAM_TOKEN and tg.enabled
    assert tg.base_url == "http://localhost:8081/bot"
    assert tg.mode == "webhook"
    assert tg.webhook_url == "https://bot.example.org/tg"
    assert tg.listen_host_port() == ("0.0.0.0", 9443)
    assert tg.secret_token == "WEBHOOK_SECRET-1"
    assert tg.rate_limit == 10.0 and isinstance(tg.rate_limit, float)
    wx = config.wechat
    assert (wx.app_id, wx.app_secret, wx.token) == ("wx123", "WX-APP-SECRET", "WX-TOKEN-SECRET")
    assert wx.enabled and wx.safe_mode
    assert wx.encoding_aes_key == AES_KEY
    assert wx.api_base_url == "https://proxy.example.org/"
    assert wx.listen_host_port() == ("::1", 8081)
    assert wx.path == "/wx/callback"
    assert wx.reminder_template_id == "tmpl-1"
    assert wx.rate_limit == 2.5
    wc = config.wecom
    assert (wc.corp_id, wc.secret, wc.agent_id) == ("ww123", "WECOM-SECRET", "1000002")
    assert wc.api_base_url == "https://qyapi.example.org/"
    assert wc.enabled
    assert config.quiet_hours == QuietHours(time(22, 30), time(6, 15))


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///data/zhibu.db", "data/zhibu.db"),
        ("sqlite:////var/lib/zhibu/zhibu.db", "/var/lib/zhibu/zhibu.db"),
        ("sqlite:///:memory:", ":memory:"),
        ("postgres://db.example.org/zhibu", None),
        ("postgresql://user@localhost/zhibu", None),
    ],
)
def test_sqlite_path_is_the_file_of_sqlite_urls_and_none_for_postgres(
    url: str, path: str | None
) -> None:
    config = load_config(None, {"ZHIBU_DATABASE__URL": url})
    assert config.database.url == url
    assert config.database.sqlite_path() == path


def test_a_toml_local_time_is_accepted_for_quiet_hours(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[quiet_hours]\nstart = 20:00:00\n"), {})
    assert config.quiet_hours.start == time(20, 0)


def test_an_empty_optional_string_means_unset(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[telegram]\ntoken = ""\n'), {})
    assert config.telegram.token is None
    assert not config.telegram.enabled


# --------------------------------------------------------------------------- environment


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    environ = {
        "ZHIBU_TIMEZONE": "UTC",
        "ZHIBU_LOCALE": "en",
        "ZHIBU_DATABASE__URL": "sqlite:///:memory:",
        "ZHIBU_TELEGRAM__TOKEN": "env-token",
        "ZHIBU_TELEGRAM__MODE": "polling",
        "ZHIBU_WECHAT__PATH": "/wx2",
        "ZHIBU_WECOM__AGENT_ID": "42",
    }
    config = load_config(write(tmp_path, FULL_TOML), environ)
    assert config.timezone.key == "UTC"
    assert config.locale == "en"
    assert config.database.sqlite_path() == ":memory:"
    assert config.telegram.token == "env-token"
    assert config.telegram.mode == "polling"
    assert config.telegram.webhook_url == "https://bot.example.org/tg"
    assert config.wechat.path == "/wx2"
    assert config.wechat.app_id == "wx123"
    assert config.wecom.agent_id == "42"


def test_environment_strings_are_coerced_to_floats_and_times() -> None:
    environ = {
        "ZHIBU_TELEGRAM__RATE_LIMIT": "12.5",
        "ZHIBU_WECHAT__RATE_LIMIT": "3",
        "ZHIBU_QUIET_HOURS__START": "23:00",
        "ZHIBU_QUIET_HOURS__END": "05:30",
    }
    config = load_config(None, environ)
    assert config.telegram.rate_limit == 12.5
    assert config.wechat.rate_limit == 3.0
    assert config.quiet_hours == QuietHours(time(23, 0), time(5, 30))


def test_environment_alone_can_enable_webhook_mode() -> None:
    environ = {
        "ZHIBU_TELEGRAM__MODE": "webhook",
        "ZHIBU_TELEGRAM__WEBHOOK_URL": "https://bot.example.org/hook",
    }
    config = load_config(None, environ)
    assert config.telegram.mode == "webhook"
    assert config.telegram.webhook_url == "https://bot.example.org/hook"


def test_unknown_zhibu_environment_variables_are_ignored() -> None:
    environ = {"ZHIBU_TELEGRAM__TOKN": "x", "ZHIBU_NOPE": "1", "ZHIBU_FOO__BAR": "2"}
    assert load_config(None, environ) == Config()


def test_zhibu_config_picks_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'locale = "en"\n')
    config = load_config(None, {"ZHIBU_CONFIG": str(path)})
    assert config.locale == "en"
    assert config.source == str(path)


def test_an_explicit_path_wins_over_zhibu_config(tmp_path: Path) -> None:
    path = write(tmp_path, 'locale = "en"\n')
    config = load_config(path, {"ZHIBU_CONFIG": str(tmp_path / "missing.toml")})
    assert config.locale == "en"


def test_the_process_environment_is_used_when_none_is_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ZHIBU_CONFIG", raising=False)
    monkeypatch.setenv("ZHIBU_LOCALE", "zh-Hant")
    assert load_config().locale == "zh-Hant"


# --------------------------------------------------------------------------- bad files


def test_a_missing_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml") as info:
        load_config(missing, {})
    assert "not found" in str(info.value)


def test_a_missing_file_from_zhibu_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"gone\.toml"):
        load_config(None, {"ZHIBU_CONFIG": str(tmp_path / "gone.toml")})


def test_invalid_toml_is_a_config_error_naming_the_file_and_line(tmp_path: Path) -> None:
    message = error_from(tmp_path, '[telegram]\ntoken = "x"\nmode = \n')
    assert "zhibu.toml" in message
    assert "line 3" in message
    assert "\n" not in message


# --------------------------------------------------------------------------- bad values

BAD_VALUES = [
    ("timezone", 'timezone = "Mars/Base"', "unknown time zone 'Mars/Base'"),
    ("timezone", 'timezone = "/etc/passwd"', "unknown time zone"),
    ("locale", 'locale = "fr"', "'zh-Hans', 'zh-Hant' or 'en'"),
    ("database.url", '[database]\nurl = "mysql://x"', "malformed URL 'mysql://x'"),
    ("database.url", '[database]\nurl = "sqlite:///"', "malformed URL"),
    ("database.url", '[database]\nurl = "sqlite://relative.db"', "malformed URL"),
    ("database.url", '[database]\nurl = "postgresql:///zhibu"', "malformed URL"),
    ("telegram.base_url", '[telegram]\nbase_url = "ftp://x/bot"', "http(s) URL"),
    ("telegram.base_url", '[telegram]\nbase_url = "https://"', "http(s) URL"),
    ("telegram.mode", '[telegram]\nmode = "push"', "must be 'polling' or 'webhook', got 'push'"),
    ("telegram.webhook_url", '[telegram]\nmode = "webhook"', "required when"),
    ("telegram.webhook_url", '[telegram]\nwebhook_url = "bot.example.org"', "http(s) URL"),
    ("telegram.listen", '[telegram]\nlisten = "localhost"', "host:port"),
    ("telegram.listen", '[telegram]\nlisten = "localhost:70000"', "1-65535"),
    ("telegram.listen", '[telegram]\nlisten = ":8443"', "host:port"),
    ("telegram.secret_token", '[telegram]\nsecret_token = "has space"', "1-256"),
    ("telegram.secret_token", f'[telegram]\nsecret_token = "{"a" * 257}"', "1-256"),
    ("telegram.rate_limit", '[telegram]\nrate_limit = "fast"', "must be a number"),
    ("telegram.rate_limit", "[telegram]\nrate_limit = 0", "> 0"),
    ("telegram.rate_limit", "[telegram]\nrate_limit = nan", "> 0"),
    ("telegram.rate_limit", "[telegram]\nrate_limit = true", "must be a number"),
    ("telegram.mode", "[telegram]\nmode = 3", "must be a string, got int 3"),
    ("wechat.encoding_aes_key", '[wechat]\nencoding_aes_key = "short"', "exactly 43"),
    ("wechat.encoding_aes_key", f'[wechat]\nencoding_aes_key = "{"!" * 43}"', "base64"),
    ("wechat.api_base_url", '[wechat]\napi_base_url = "weixin"', "http(s) URL"),
    ("wechat.path", '[wechat]\npath = "wechat"', "must start with '/'"),
    ("wechat.listen", '[wechat]\nlisten = "0.0.0.0:http"', "host:port"),
    ("wecom.agent_id", '[wecom]\nagent_id = "abc"', "whole number"),
    ("wecom.api_base_url", '[wecom]\napi_base_url = "qyapi"', "http(s) URL"),
    ("quiet_hours.start", '[quiet_hours]\nstart = "25:00"', "'HH:MM'"),
    ("quiet_hours.end", '[quiet_hours]\nend = "7pm"', "'HH:MM'"),
    ("quiet_hours.end", '[quiet_hours]\nend = "07:60"', "'HH:MM'"),
    ("quiet_hours.start", "[quiet_hours]\nstart = 21", "must be a string"),
    ("telegram.tokn", '[telegram]\ntokn = "x"', "unknown key (known: token, base_url, mode"),
    ("telegrm", '[telegrm]\ntoken = "x"', "unknown section (known: database, telegram"),
    ("timezon", 'timezon = "UTC"', "unknown key (known: timezone, locale)"),
    ("telegram", 'telegram = "x"', "must be a table"),
    ("wechat.extra", "[wechat.extra]\nx = 1", "unknown key"),
    ("wechat.path", "[wechat.path]\nx = 1", "must be a string, got dict"),
]


@pytest.mark.parametrize(("key", "toml", "problem"), BAD_VALUES)
def test_each_bad_value_raises_a_one_line_config_error_naming_the_key(
    tmp_path: Path, key: str, toml: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, toml + "\n"), {})
    message = str(info.value)
    assert message.startswith(f"config key {key}: ")
    assert problem in message
    assert "\n" not in message
    assert info.value.key == key


BAD_ENVIRONMENT = [
    ("timezone", "ZHIBU_TIMEZONE", "Mars/Base"),
    ("locale", "ZHIBU_LOCALE", "de"),
    ("database.url", "ZHIBU_DATABASE__URL", "mysql://x"),
    ("telegram.rate_limit", "ZHIBU_TELEGRAM__RATE_LIMIT", "fast"),
    ("telegram.rate_limit", "ZHIBU_TELEGRAM__RATE_LIMIT", "-1"),
    ("wechat.rate_limit", "ZHIBU_WECHAT__RATE_LIMIT", "inf"),
    ("quiet_hours.start", "ZHIBU_QUIET_HOURS__START", "9"),
    ("telegram.base_url", "ZHIBU_TELEGRAM__BASE_URL", ""),
]


@pytest.mark.parametrize(("key", "var", "value"), BAD_ENVIRONMENT)
def test_each_bad_environment_value_raises_a_config_error_naming_the_key(
    key: str, var: str, value: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, {var: value})
    assert str(info.value).startswith(f"config key {key}: ")
    assert "\n" not in str(info.value)


def test_the_timezone_message_matches_the_documented_wording() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, {"ZHIBU_TIMEZONE": "Mars/Base"})
    assert str(info.value) == "config key timezone: unknown time zone 'Mars/Base'"


def test_the_database_url_message_matches_the_documented_wording() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, {"ZHIBU_DATABASE__URL": "mysql://x"})
    assert str(info.value) == (
        "config key database.url: malformed URL 'mysql://x' "
        "(expected sqlite:///FILE or postgresql://HOST/DB)"
    )


def test_newlines_in_a_bad_value_do_not_break_the_one_line_message() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, {"ZHIBU_TELEGRAM__MODE": "push\nmore"})
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- secrets


def test_secrets_are_absent_from_repr(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_TOML), {})
    text = repr(config)
    for secret in SECRETS:
        assert secret not in text
    assert "wx123" in text and "db.example.org" in text


@pytest.mark.parametrize(
    ("toml", "secret"),
    [
        ('[telegram]\nsecret_token = "bad secret TOKEN"', "bad secret TOKEN"),
        ('[wechat]\nencoding_aes_key = "SHORT-AES-KEY"', "SHORT-AES-KEY"),
        (f'[wechat]\nencoding_aes_key = "{"#" * 42}X"', "#" * 42),
        ("[telegram]\ntoken = 987654321", "987654321"),
        ("[wechat]\napp_secret = 55555", "55555"),
        ("[wecom]\nsecret = 77777", "77777"),
        ("[telegram]\nsecret_token = 31415", "31415"),
        ('[database]\nurl = "mysql://root:hunter2@db/x"', "hunter2"),
        ('[telegram]\nbase_url = "ftp://u:hunter2@host/"', "hunter2"),
    ],
)
def test_secrets_are_absent_from_error_messages(tmp_path: Path, toml: str, secret: str) -> None:
    message = error_from(tmp_path, toml + "\n")
    assert message.startswith("config key ")
    assert secret not in message


def test_a_database_password_is_masked_in_repr() -> None:
    config = load_config(None, {"ZHIBU_DATABASE__URL": "postgresql://u:hunter2@db/zhibu"})
    assert "hunter2" not in repr(config)
    assert "u:***@db" in repr(config.database)


# --------------------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("t", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 59, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_contains_handles_a_window_across_midnight(t: time, quiet: bool) -> None:
    assert QuietHours(time(21, 0), time(7, 0)).contains(t) is quiet


@pytest.mark.parametrize(
    ("t", "quiet"), [(time(12, 59), False), (time(13, 0), True), (time(14, 0), False)]
)
def test_quiet_hours_contains_handles_a_window_within_one_day(t: time, quiet: bool) -> None:
    assert QuietHours(time(13, 0), time(14, 0)).contains(t) is quiet


def test_quiet_hours_with_equal_start_and_end_are_never_quiet() -> None:
    hours = QuietHours(time(8, 0), time(8, 0))
    assert not any(hours.contains(time(h, m)) for h in range(24) for m in (0, 30))


def test_quiet_hours_contains_ignores_the_tzinfo_of_an_aware_time() -> None:
    from zoneinfo import ZoneInfo

    assert QuietHours().contains(time(22, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
