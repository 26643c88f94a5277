"""One account across tools: which account each imported row belongs to.

A tool's export names its company its own way: Stripe by customer id and email, HubSpot by
record id, name and domain, Zendesk by organisation name and requester email. Each row
gets up to four keys, best first:

- ``id:<the tool's id for the company>`` (cus_..., a HubSpot record id, a Salesforce Id)
- ``email:<a person's address>``
- ``domain:<web domain>``: the company's domain, or the email's unless it is a free-mail
  address (gmail.com says nothing about the company)
- ``name:<normalised company name>``: lower case, punctuation and legal suffixes dropped,
  so "ACME, Inc." and "Acme" are one name

and is matched, in this order, to: a link saved for one of its keys (account_links: by
hand, by an earlier import, by a merge); a contact with that email; the one account with
that domain; the one account with that name. Two or more accounts with the domain or name
make the row ambiguous. Pure functions of Polars frames; the database side is db/links.py.
"""

from __future__ import annotations

import polars as pl

from importers.values import domain, email

# The legal forms that trail company names, compared after punctuation is dropped.
LEGAL_SUFFIXES = (
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "pty",
    "pte",
    "kk",
    "sl",
)
# Addresses at these domains belong to people, not companies.
FREE_MAIL = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
)
KEY_KINDS = ("id", "email", "domain", "name")
KEY_COLUMNS = ("k_id", "k_email", "k_domain", "k_name")
METHODS = {"k_id": "id", "k_email": "email", "k_domain": "domain", "k_name": "name"}


def name_key(name: pl.Expr) -> pl.Expr:
    """'ACME, Inc.' -> 'acme'; 'Smith & Sons Ltd' -> 'smith and sons'; 'Müller GmbH & Co.
    KG' -> 'müller'. A name that is all legal form ('Co') is kept whole."""
    words = (
        name.str.to_lowercase()
        .str.replace_all("&", " and ")
        .str.replace_all(r"[^\w\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    suffix = r"(\s(and\s)?(" + "|".join(LEGAL_SUFFIXES) + r"))+$"
    stripped = words.str.replace(suffix, "")
    return pl.when(stripped != "").then(stripped).otherwise(words)


def name_key_of(name: str) -> str:
    return pl.select(name_key(pl.lit(name))).item()


def company_domain(domain_text: pl.Expr, email_text: pl.Expr) -> pl.Expr:
    """The company's web domain: the domain given, else the email's; never a free-mail
    domain (a 'Requester domain' of gmail.com says nothing about the company)."""
    found = pl.coalesce(domain(domain_text), domain(email_text))
    return pl.when(~found.is_in(list(FREE_MAIL))).then(found)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)


def with_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Add k_id, k_email, k_domain and k_name from the row's ext_* columns."""
    ext_id = _col(frame, "ext_id").cast(pl.String).str.strip_chars()
    mail = email(_col(frame, "ext_email"))
    name = name_key(_col(frame, "ext_name").cast(pl.String))
    return frame.with_columns(
        pl.when(ext_id != "").then("id:" + ext_id).alias("k_id"),
        ("email:" + mail).alias("k_email"),
        ("domain:" + company_domain(_col(frame, "ext_domain"), mail)).alias("k_domain"),
        pl.when(name != "").then("name:" + name).alias("k_name"),
    )


def is_key(text: str) -> bool:
    """'id:cus_1', 'email:ana@acme.com', 'domain:acme.com', 'name:acme' are keys."""
    kind, _, rest = text.partition(":")
    return kind in KEY_KINDS and bool(rest)


def record_keys(row: dict) -> list[str]:
    return [row[k] for k in KEY_COLUMNS if row.get(k)]


def resolve(
    frame: pl.DataFrame,
    links: pl.DataFrame,
    accounts: pl.DataFrame,
    contacts: pl.DataFrame,
) -> pl.DataFrame:
    """``frame`` (with keys: with_keys) plus account_id, match (how it was found:
    'link:id', 'contact', 'domain', 'name'; null when not) and candidates (the accounts an
    ambiguous row could be, ', '-joined; null otherwise).

    links: key, account_id (this source's); accounts: account_id, name, domain;
    contacts: email, account_id.
    """
    combos = frame.select(KEY_COLUMNS).unique()
    found: list[pl.Expr] = []
    how: list[pl.Expr] = []
    link_map = links.select(pl.col("key"), pl.col("account_id"))
    for k in KEY_COLUMNS:
        combos = combos.join(
            link_map.rename({"key": k, "account_id": f"via_{k}"}), on=k, how="left"
        )
        found.append(pl.col(f"via_{k}"))
        how.append(pl.when(pl.col(f"via_{k}").is_not_null()).then(pl.lit(f"link:{METHODS[k]}")))

    by_email = (
        contacts.filter(pl.col("email").is_not_null())
        .group_by(pl.col("email").str.to_lowercase().alias("email"))
        .agg(pl.col("account_id").unique().sort().alias("ids"))
        .select(("email:" + pl.col("email")).alias("k_email"), pl.col("ids").alias("by_email"))
    )
    by_domain = (
        accounts.select("account_id", domain(pl.col("domain")).alias("d"))
        .filter(pl.col("d").is_not_null())
        .group_by("d")
        .agg(pl.col("account_id").sort().alias("by_domain"))
        .select(("domain:" + pl.col("d")).alias("k_domain"), "by_domain")
    )
    by_name = (
        accounts.select("account_id", name_key(pl.col("name")).alias("n"))
        .filter(pl.col("n").is_not_null() & (pl.col("n") != ""))
        .group_by("n")
        .agg(pl.col("account_id").sort().alias("by_name"))
        .select(("name:" + pl.col("n")).alias("k_name"), "by_name")
    )
    combos = (
        combos.join(by_email, on="k_email", how="left")
        .join(by_domain, on="k_domain", how="left")
        .join(by_name, on="k_name", how="left")
    )
    for column, label in (("by_email", "contact"), ("by_domain", "domain"), ("by_name", "name")):
        one = pl.when(pl.col(column).list.len() == 1).then(pl.col(column).list.first())
        found.append(one)
        how.append(pl.when(one.is_not_null()).then(pl.lit(label)))
    many = (
        pl.concat_list(
            pl.when(pl.col(c).list.len() > 1)
            .then(pl.col(c))
            .otherwise(pl.lit([], pl.List(pl.String)))
            for c in ("by_email", "by_domain", "by_name")
        )
        .list.unique()
        .list.sort()
    )
    combos = combos.with_columns(
        pl.coalesce(found).alias("account_id"),
        pl.coalesce(how).alias("match"),
        many.alias("_many"),
    ).with_columns(
        pl.when(pl.col("account_id").is_null() & (pl.col("_many").list.len() > 0))
        .then(pl.col("_many").list.join(", "))
        .alias("candidates")
    )
    resolved = combos.select(*KEY_COLUMNS, "account_id", "match", "candidates")
    return frame.drop("account_id", strict=False).join(
        resolved, on=list(KEY_COLUMNS), how="left", nulls_equal=True
    )


def best_label(frame: pl.DataFrame) -> pl.Expr:
    """What a row calls its company, for lists of unmatched rows."""
    return pl.coalesce(
        _col(frame, "ext_name"),
        company_domain(_col(frame, "ext_domain"), pl.lit(None, pl.String)),
        _col(frame, "ext_email"),
        _col(frame, "ext_id").cast(pl.String),
        pl.lit("(nothing to match on)"),
    )
