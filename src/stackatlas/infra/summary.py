"""The physical stack: AI power, compute and hardware cost from Epoch AI's cluster data.

Rules (each stated in the result's ``basis``):

- **Operational** clusters are the ``existing`` ones Epoch includes in its standard analysis
  (``basis="standard"``, the default: Epoch's flag drops possible duplicates and clusters it does
  not analyse) or every existing cluster that is not a possible duplicate (``basis="all"``).
  A decommissioned cluster counts until its decommissioning year. **Planned** clusters are never
  added to operational figures; they are reported apart, by certainty (confirmed / likely /
  unlikely), and possible duplicates are left out.
- **No double counting of phases:** Epoch lists expansions as new records ("Phase 2" supersedes
  "Phase 1" and contains it). At the end of year Y a cluster is dropped when a cluster that
  supersedes it (directly or through later phases) is counted and operational by Y.
- **Unknowns stay unknown:** power, H100-equivalents and cost are summed over the clusters that
  state them, and every sum carries how many clusters it covers (``power_known`` of ``clusters``).
  A supplier "Anonymized" / "Unknown" is not counted as anyone's: supplier shares are of the
  compute whose supplier is known, and the unknown part is stated.
- **Owners** shared by several organisations ("OpenAI,Microsoft") are split evenly among them;
  those rows are allocations (evidence *estimated*). Owners and chip suppliers are joined to atlas
  companies through a reviewed name table (``data/infra/epoch_names.csv``), then exact atlas
  names / aliases; nothing is matched fuzzily.
- **Energy** (TWh per year) = stated power (GW) x 8,766 h x utilization / 1,000, with the
  utilization an assumption (default 0.7, range 0.5-0.9), never a measured value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from stackatlas._io import data_path
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import INPUT, Problem, ValidationError
from stackatlas.infra.clusters import CITATION
from stackatlas.notebook import Tabular

Basis = Literal["standard", "all"]
HOURS_PER_YEAR = 8766  # 365.25 days
UTILIZATION = {
    "default": 0.7,
    "low": 0.5,
    "high": 0.9,
    "basis": "assumption: average draw of an AI cluster as a share of its stated power "
    "capacity over a year (training runs near full load, idle and maintenance time lower it); "
    "not measured by Epoch",
}
UNKNOWN_SUPPLIERS = {"Anonymized", "Unknown", ""}


@dataclass
class InfraSummary(Tabular):
    """Operational and planned AI infrastructure, by year, owner, country and chip supplier."""

    by_year: pd.DataFrame
    planned: pd.DataFrame
    by_owner: pd.DataFrame
    by_country: pd.DataFrame
    by_supplier: pd.DataFrame
    cost_per_mw: pd.DataFrame
    layers: pd.DataFrame
    utilization: float
    basis: Basis
    as_of: date | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from stackatlas.display import records

        return {
            "source": CITATION,
            "basis": self.basis,
            "as_of": self.as_of,
            "utilization": {**UTILIZATION, "used": self.utilization},
            "notes": self.notes,
            "layers": records(self.layers),
            "by_year": records(self.by_year),
            "planned": records(self.planned),
            "by_owner": records(self.by_owner),
            "by_country": records(self.by_country),
            "by_supplier": records(self.by_supplier),
            "cost_per_mw": records(self.cost_per_mw),
        }

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The per-year table first (``to_frame()``), then the others as in ``to_dict()``."""
        tables = ("by_year", "layers", "planned", "by_owner", "by_country", "by_supplier")
        return {name: getattr(self, name).copy() for name in (*tables, "cost_per_mw")}

    def __rich__(self) -> Any:
        from stackatlas.infra.render import render_infra

        return render_infra(self)


def infra_summary(
    atlas: Atlas,
    clusters: pd.DataFrame,
    *,
    utilization: float = float(UTILIZATION["default"]),  # type: ignore[arg-type]
    basis: Basis = "standard",
    top: int = 15,
) -> InfraSummary:
    """Aggregate Epoch's clusters (``load_clusters``) into the physical-stack tables."""
    if not 0 < utilization <= 1:
        raise ValidationError(
            Problem(INPUT, None, "utilization", f"must be in (0, 1], not {utilization}")
        )
    if basis not in ("standard", "all"):
        raise ValidationError(Problem(INPUT, None, "basis", f"standard or all, not {basis!r}"))
    frame = clusters.copy()
    frame["year"] = frame["first_operational"].map(
        lambda d: d.year if isinstance(d, date) else None
    )
    operational = _operational(frame, basis)
    planned = frame[(frame["status"] == "planned") & ~frame["duplicate"]]
    as_of = max((d for d in frame["first_operational"] if isinstance(d, date)), default=None)
    names = _name_table(atlas)
    latest_year = as_of.year if as_of else None
    by_year = _by_year(operational, utilization, as_of)
    latest = _stock(operational, latest_year, latest_year) if latest_year else operational[:0]
    summary = InfraSummary(
        by_year=by_year,
        planned=_planned(planned),
        by_owner=_split_owners(latest, planned[planned["certainty"] != "unlikely"], names, top),
        by_country=_by_country(latest, planned[planned["certainty"] != "unlikely"], top),
        by_supplier=_by_supplier(latest, names),
        cost_per_mw=_cost_per_mw(operational),
        layers=pd.DataFrame(),
        utilization=utilization,
        basis=basis,
        as_of=as_of,
    )
    summary.layers = _layers(summary, latest, planned, utilization)
    undated = int(operational["year"].isna().sum())
    summary.notes = [
        f"operational: {len(latest)} clusters counted at the newest date in the file "
        f"({as_of}); {undated} have no first-operational date and are counted only there",
        f"planned: {len(planned)} clusters, never added to operational figures",
        "sums cover the clusters that state the value (see the *_known columns)",
    ]
    return summary


def _operational(frame: pd.DataFrame, basis: Basis) -> pd.DataFrame:
    live = frame["status"].isin(["existing", "decommissioned"]) & ~frame["duplicate"]
    if basis == "standard":
        live &= frame["standard"] | (frame["status"] == "decommissioned")
    return frame[live]


def _stock(operational: pd.DataFrame, year: int, latest_year: int | None) -> pd.DataFrame:
    """Clusters operating at the end of ``year``, phases superseded by a counted, operating
    successor dropped. Undated clusters are known to operate only as of the file's latest
    year, so they count there and not before; a decommissioned cluster without a date is gone
    by then."""
    is_latest = year == latest_year
    undated = operational["year"].isna() & (operational["status"] == "existing")
    dated = operational["year"].notna() & (operational["year"] <= year)
    gone = operational.apply(
        lambda r: (
            (isinstance(r["decommissioned"], date) and r["decommissioned"].year <= year)
            or (is_latest and r["status"] == "decommissioned")
        ),
        axis=1,
    )
    alive = operational[(dated | (undated & is_latest)) & ~gone]
    names = set(alive["name"])
    successor = {
        name: _text(nxt) for name, nxt in zip(alive["name"], alive["superseded_by"], strict=True)
    }

    def replaced(name: str) -> bool:
        seen: set[str] = set()
        nxt = successor.get(name)
        while nxt and nxt not in seen:
            if nxt in names:
                return True
            seen.add(nxt)
            nxt = successor.get(nxt)
        return False

    return alive[~alive["name"].map(replaced)]


def _text(value: Any) -> str:
    """A text cell, '' when blank (pandas may hold a blank as None or NaN)."""
    return value if isinstance(value, str) else ""


def _sums(frame: pd.DataFrame) -> dict[str, Any]:
    power = frame["power_mw"]
    h100 = frame["h100e"]
    return {
        "clusters": len(frame),
        "power_gw": float(power.sum(skipna=True)) / 1000 if power.notna().any() else None,
        "power_known": int(power.notna().sum()),
        "h100e_m": float(h100.sum(skipna=True)) / 1e6 if h100.notna().any() else None,
        "h100e_known": int(h100.notna().sum()),
    }


def _by_year(operational: pd.DataFrame, utilization: float, as_of: date | None) -> pd.DataFrame:
    years = sorted(
        {int(y) for y in operational["year"].dropna()} | ({as_of.year} if as_of else set())
    )
    rows = []
    previous: float | None = None
    for year in years:
        stock = _stock(operational, year, as_of.year if as_of else None)
        row = {"year": year, **_sums(stock)}
        # net of superseded phases and decommissioning (a "Phase 3" record contains 1 and 2)
        row["net_added_gw"] = (
            None if row["power_gw"] is None else row["power_gw"] - (previous or 0.0)
        )
        previous = row["power_gw"]
        row["energy_twh"] = _twh(row["power_gw"], utilization)
        row["partial_year"] = bool(as_of and year == as_of.year and as_of.month < 12)
        row["evidence"] = "estimated"
        rows.append(row)
    return pd.DataFrame(rows)


def _twh(power_gw: float | None, utilization: float) -> float | None:
    return None if power_gw is None else power_gw * HOURS_PER_YEAR * utilization / 1000


def _planned(planned: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for certainty in ("confirmed", "likely", "unlikely"):
        part = planned[planned["certainty"] == certainty]
        rows.append({"certainty": certainty, **_sums(part), "evidence": "estimated"})
    return pd.DataFrame(rows)


def _name_table(atlas: Atlas) -> dict[tuple[str, str], str]:
    """(role, Epoch name) -> atlas company id: the reviewed table, then exact atlas names."""
    table: dict[tuple[str, str], str] = {}
    with data_path("infra", "epoch_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["company"] and row["company"] in atlas.companies:
                table[(row["role"], row["epoch_name"])] = row["company"]
    exact: dict[str, str] = {}
    for company in atlas.companies.values():
        for name in (company.id, company.name, *company.aliases):
            exact.setdefault(name.lower(), company.id)
    table.update({("*", name): cid for name, cid in exact.items()})
    return table


def _company(names: dict[tuple[str, str], str], role: str, name: str) -> str | None:
    return names.get((role, name)) or names.get(("*", name.lower()))


def _split_owners(
    latest: pd.DataFrame, planned: pd.DataFrame, names: dict[tuple[str, str], str], top: int
) -> pd.DataFrame:
    rows: dict[str, dict[str, Any]] = {}
    for frame, prefix in ((latest, "operational"), (planned, "planned")):
        for rec in frame.to_dict("records"):
            owners = [o.strip() for o in _text(rec["owner"]).split(",") if o.strip()]
            owners = owners or ["(owner not disclosed)"]
            for owner in owners:
                row = rows.setdefault(
                    owner,
                    {
                        "owner": owner,
                        "company": _company(names, "owner", owner),
                        "operational_gw": 0.0,
                        "operational_h100e_m": 0.0,
                        "operational_clusters": 0,
                        "planned_gw": 0.0,
                        "planned_clusters": 0,
                        "shared": False,
                    },
                )
                weight = 1 / len(owners)
                row["shared"] |= len(owners) > 1
                row[f"{prefix}_clusters"] += 1
                if rec["power_mw"] == rec["power_mw"]:  # not NaN
                    row[f"{prefix}_gw"] += weight * rec["power_mw"] / 1000
                if prefix == "operational" and rec["h100e"] == rec["h100e"]:
                    row["operational_h100e_m"] += weight * rec["h100e"] / 1e6
    frame = pd.DataFrame(list(rows.values()))
    if frame.empty:
        return frame
    total = frame["operational_h100e_m"].sum()
    frame["h100e_share"] = frame["operational_h100e_m"] / total if total else None
    frame["evidence"] = "estimated"  # third-party figures; shared owners are also split
    frame = frame.sort_values(["operational_h100e_m", "planned_gw"], ascending=False)
    return frame.head(top).reset_index(drop=True)


def _by_country(latest: pd.DataFrame, planned: pd.DataFrame, top: int) -> pd.DataFrame:
    rows = []
    countries = set(latest["country"].dropna()) | set(planned["country"].dropna())
    total = latest["h100e"].sum(skipna=True)
    for country in countries:
        op = latest[latest["country"] == country]
        pl = planned[planned["country"] == country]
        op_sums, pl_sums = _sums(op), _sums(pl)
        rows.append(
            {
                "country": country,
                "operational_clusters": op_sums["clusters"],
                "operational_gw": op_sums["power_gw"],
                "operational_h100e_m": op_sums["h100e_m"],
                "h100e_share": (op_sums["h100e_m"] or 0) * 1e6 / total if total else None,
                "planned_clusters": pl_sums["clusters"],
                "planned_gw": pl_sums["power_gw"],
            }
        )
    frame = pd.DataFrame(rows).sort_values("h100e_share", ascending=False, na_position="last")
    return frame.head(top).reset_index(drop=True)


def _by_supplier(latest: pd.DataFrame, names: dict[tuple[str, str], str]) -> pd.DataFrame:
    supplier = latest["supplier"].fillna("")
    known = latest[~supplier.isin(UNKNOWN_SUPPLIERS)]
    known_total = known["h100e"].sum(skipna=True)
    rows = []
    for name, part in known.groupby("supplier"):
        h100 = part["h100e"].sum(skipna=True)
        rows.append(
            {
                "supplier": name,
                "company": _company(names, "supplier", str(name)),
                "clusters": len(part),
                "h100e_m": h100 / 1e6,
                "share_of_known": h100 / known_total if known_total else None,
                "evidence": "estimated",
            }
        )
    unknown = latest[supplier.isin(UNKNOWN_SUPPLIERS)]
    rows.append(
        {
            "supplier": "(not disclosed: anonymized or unknown)",
            "company": None,
            "clusters": len(unknown),
            "h100e_m": unknown["h100e"].sum(skipna=True) / 1e6,
            "share_of_known": None,
            "evidence": "unresolved",
        }
    )
    frame = pd.DataFrame(rows)
    return frame.sort_values("h100e_m", ascending=False).reset_index(drop=True)


def _cost_per_mw(operational: pd.DataFrame) -> pd.DataFrame:
    both = operational[operational["hardware_cost_usd"].notna() & operational["power_mw"].notna()]
    both = both[both["year"].notna() & (both["power_mw"] > 0)]
    rows = []
    for year, part in both.groupby("year"):
        rows.append(
            {
                "year": int(year),
                "clusters": len(part),
                "hardware_cost_bn": part["hardware_cost_usd"].sum() / 1e9,
                "power_mw": part["power_mw"].sum(),
                "cost_per_mw_musd": part["hardware_cost_usd"].sum() / part["power_mw"].sum() / 1e6,
                "evidence": "estimated",
            }
        )
    return pd.DataFrame(rows)


def _layers(
    summary: InfraSummary, latest: pd.DataFrame, planned: pd.DataFrame, utilization: float
) -> pd.DataFrame:
    op, pl = _sums(latest), _sums(planned[planned["certainty"] != "unlikely"])
    nvidia = summary.by_supplier[summary.by_supplier["company"] == "nvidia"]
    nvidia_share = float(nvidia["share_of_known"].iloc[0]) if len(nvidia) else None
    rows = [
        {
            "layer": "energy",
            "measure": "AI cluster power in operation (GW, stated by Epoch)",
            "value": op["power_gw"],
            "covers": f"{op['power_known']} of {op['clusters']} clusters",
        },
        {
            "layer": "energy",
            "measure": f"implied energy (TWh/yr at {utilization:.0%} utilization, assumption)",
            "value": _twh(op["power_gw"], utilization),
            "covers": f"{op['power_known']} of {op['clusters']} clusters",
        },
        {
            "layer": "energy",
            "measure": "planned AI cluster power, confirmed + likely (GW)",
            "value": pl["power_gw"],
            "covers": f"{pl['power_known']} of {pl['clusters']} planned clusters",
        },
        {
            "layer": "chips",
            "measure": "H100-equivalents in operation (millions)",
            "value": op["h100e_m"],
            "covers": f"{op['h100e_known']} of {op['clusters']} clusters",
        },
        {
            "layer": "chips",
            "measure": "Nvidia share of operational compute (H100e, supplier known)",
            "value": nvidia_share,
            "covers": "clusters whose chip supplier Epoch discloses",
        },
    ]
    frame = pd.DataFrame(rows)
    frame["evidence"] = ["estimated", "scenario", "estimated", "estimated", "estimated"]
    return frame
