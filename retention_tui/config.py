"""Configuration: the shipped defaults, overridden by a ``retention.toml`` beside the
database. Config is data, never code: it is parsed as TOML and checked key by key against
the defaults (same keys, same types), so a typo gets a message naming the key."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from copy import deepcopy
from importlib import resources
from pathlib import Path
from typing import Any

from db.errors import RetentionError

CONFIG_NAME = "retention.toml"
Config = dict[str, Any]


def defaults() -> Config:
    text = resources.files("retention_tui").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def config_path(db_path: Path) -> Path:
    return Path(db_path).with_name(CONFIG_NAME)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _same_kind(default: object, value: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        return (
            isinstance(value, list) and all(_same_kind(default[0], v) for v in value)
            if default
            else isinstance(value, list)
        )
    return type(default) is type(value)


# What a queue of the user's own may say (title and from are required).
QUEUE_TEMPLATE: Config = {"filters": [], "sort": "", "columns": [], "hidden": False}

# Tables whose keys a user may add to (e.g. a new segment's weights).
_OPEN_TABLES = ("presets.A.segment_weights",)


def _merge(base: Config, override: Config, where: str, file: Path) -> None:
    for key, value in override.items():
        name = f"{where}.{key}" if where else key
        if key not in base:
            if where in _OPEN_TABLES and isinstance(value, dict):
                base[key] = value
                continue
            if where == "queues":  # a queue of the user's own: checked like the defaults'
                if not isinstance(value, dict):
                    raise RetentionError(f"{file}: '{name}' must be a table")
                for needed in ("title", "from"):
                    if needed not in value:
                        raise RetentionError(f"{file}: '{name}.{needed}' is missing")
                template = {**QUEUE_TEMPLATE, "title": "", "from": ""}
                _merge(template, value, name, file)
                base[key] = template
                continue
            if where == "currency.rates":  # a rate per currency code: _check_currency
                base[key] = value
                continue
            if where == "keymap":
                if not isinstance(value, str) or not value.strip():
                    raise RetentionError(
                        f"{file}: 'keymap.{key}' must be text naming keys, e.g. \"j,down\""
                    )
                base[key] = value
                continue
            raise RetentionError(f"{file}: unknown key '{name}'; see 'retention config show'")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise RetentionError(f"{file}: '{name}' must be a table")
            _merge(base[key], value, name, file)
        elif not _same_kind(base[key], value):
            raise RetentionError(f"{file}: '{name}' must be {_type_name(base[key])}, got {value!r}")
        else:
            base[key] = value


def _check_currency(c: Config, file: Path) -> None:
    code = re.compile(r"^[A-Z]{3}$")
    if c["base"] and not code.match(c["base"]):
        raise RetentionError(
            f"{file}: 'currency.base' must be a three-letter ISO code such as \"USD\", "
            f'or "" for the book\'s own currency; got {c["base"]!r}'
        )
    for name, rate in c["rates"].items():
        if not code.match(name):
            raise RetentionError(
                f"{file}: 'currency.rates.{name}' must be named by a three-letter ISO code "
                "such as EUR"
            )
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
            raise RetentionError(
                f"{file}: 'currency.rates.{name}' must be a number above 0 (units of the "
                f"base currency one {name} is worth), got {rate!r}"
            )


def _check(cfg: Config, file: Path) -> None:
    preset = cfg["scoring"]["preset"]
    if preset not in cfg["presets"]:
        raise RetentionError(
            f"{file}: 'scoring.preset' must be one of {', '.join(sorted(cfg['presets']))}, "
            f"got {preset!r}"
        )
    known = set(cfg["bands"])
    for name, p in cfg["presets"].items():
        if set(p["weights"]) != set(p["signals"]):
            raise RetentionError(
                f"{file}: 'presets.{name}.weights' and 'presets.{name}.signals' must name "
                "the same dimensions"
            )
        for dim, signals in p["signals"].items():
            for s in signals:
                if s not in known:
                    raise RetentionError(
                        f"{file}: 'presets.{name}.signals.{dim}' names unknown signal {s!r}"
                    )
        for dim, w in p["weights"].items():
            if w < 0:
                raise RetentionError(f"{file}: 'presets.{name}.weights.{dim}' must be >= 0")
    _check_currency(cfg["currency"], file)
    r = cfg["revenue_tiers"]
    if not 0 <= r["mid_market"] <= r["enterprise"]:
        raise RetentionError(f"{file}: 'revenue_tiers' must satisfy 0 <= mid_market <= enterprise")
    c = cfg["capacity"]
    if not 0 <= c["smb"] <= c["mid_market"] <= c["enterprise"]:
        raise RetentionError(
            f"{file}: 'capacity' must satisfy 0 <= smb <= mid_market <= enterprise"
        )
    t = cfg["tiers"]
    if not 0 < t["at_risk"] < t["monitor"] < t["healthy"] <= 100:
        raise RetentionError(f"{file}: 'tiers' must satisfy 0 < at_risk < monitor < healthy <= 100")
    from retention_tui.engine.benchmarks import MONTHLY_CHURN_BENCHMARKS, NRR_BY_PRICING

    if cfg["metrics"]["industry"] not in MONTHLY_CHURN_BENCHMARKS:
        raise RetentionError(
            f"{file}: 'metrics.industry' must be one of "
            f"{', '.join(MONTHLY_CHURN_BENCHMARKS)}, got {cfg['metrics']['industry']!r}"
        )
    if cfg["metrics"]["pricing_model"] not in ("", *NRR_BY_PRICING):
        raise RetentionError(
            f"{file}: 'metrics.pricing_model' must be one of {', '.join(NRR_BY_PRICING)} "
            f'or "", got {cfg["metrics"]["pricing_model"]!r}'
        )
    if cfg["import"]["dates"] not in ("", "day-first", "month-first"):
        raise RetentionError(
            f'{file}: \'import.dates\' must be "day-first", "month-first" or "" (each file\'s '
            f"own order), got {cfg['import']['dates']!r}"
        )
    for name, q in cfg["queues"].items():
        for key in ("filters", "columns"):
            if not all(isinstance(v, str) for v in q[key]):
                raise RetentionError(f"{file}: 'queues.{name}.{key}' must be a list of text")
    for code, r in cfg["risks"].items():
        if r["severity"] not in ("critical", "high", "medium", "low"):
            raise RetentionError(
                f"{file}: 'risks.{code}.severity' must be critical, high, medium or low"
            )


def load(db_path: Path | None = None) -> Config:
    """The effective config: defaults, overridden by retention.toml beside the database."""
    cfg = defaults()
    if db_path is None:
        return cfg
    file = config_path(db_path)
    if not file.exists():
        return cfg
    try:
        override = tomllib.loads(file.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RetentionError(f"{file}: not valid TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise RetentionError(f"{file}: not UTF-8 text") from exc
    merged = deepcopy(cfg)
    _merge(merged, override, "", file)
    _check(merged, file)
    return merged


def config_hash(cfg: Config) -> str:
    """A short fingerprint of the effective config, stored with every score (the keys
    and queues change how things look, not the scores)."""
    scoring = {k: v for k, v in cfg.items() if k not in ("keymap", "queues")}
    text = json.dumps(scoring, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def to_toml(cfg: Config) -> str:
    """The config as TOML text (tables, numbers, text and lists: all the config holds)."""
    lines: list[str] = []

    def table(prefix: str, data: Config) -> None:
        scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
        if scalars or not data:  # an empty table (keymap) is still shown
            if prefix:
                lines.append(f"\n[{prefix}]")
            lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items())
        for k, v in data.items():
            if isinstance(v, dict):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", cfg)
    return "\n".join(lines).lstrip("\n") + "\n"
