"""Each validation rule, triggered by a broken overlay over the (valid) fixture atlas.

Every assertion names the exact file, line (header = 1), column and message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.atlas import load_atlas
from stackatlas.errors import AtlasValidationError, Problem

H = {
    "sources.csv": "id,title,publisher,url,accession,published,kind,note",
    "companies.csv": "id,name,ticker,exchange,other_tickers,cik,country,listed,parent,aliases,"
    "description",
    "memberships.csv": "company,segment,weight,as_of,source,basis,note",
    "markets.csv": "id,name,segment,measure,description",
    "shares.csv": "market,company,share,low,high,as_of,source,kind,note",
    "groups.csv": "id,name,members,description",
    "flows.csv": "id,from,to,kind,amount,low,high,period,source,confidence,note",
    "figures.csv": "id,subject_type,subject,metric,value,low,high,unit,period,kind,source,quote,"
    "note",
    "dependencies.csv": "supplier,customer,group,input_share,input_low,input_high,input_basis,"
    "revenue_share,revenue_low,revenue_high,revenue_basis,exposure,as_of,source,other_sources,"
    "evidence,note",
    "upstream_exemptions.csv": "company,reason,source",
}
ART = "marsbit-2026-03-16"


class Broken:
    """Writes an overlay, loads it over the fixture atlas and collects the problems."""

    def __init__(self, base: Path, overlay: Path) -> None:
        self.base, self.dir = base, overlay
        overlay.mkdir()

    def problems(self, **files: str | list[str]) -> list[Problem]:
        for stem, body in files.items():
            for ext in ("yaml", "csv"):
                if stem.endswith(f"_{ext}"):
                    name = f"{stem.removesuffix(f'_{ext}')}.{ext}"
                    break
            else:
                name = f"{stem}.csv"
            if isinstance(body, list):
                body = "\n".join([H[name], *body]) + "\n"
            (self.dir / name).write_text(body)
        with pytest.raises(AtlasValidationError) as info:
            load_atlas(self.dir, base=self.base)
        return info.value.problems

    def at(self, name: str, line: int | None, column: str | None, message: str) -> Problem:
        return Problem(str(self.dir / name), line, column, message)


def in_file_order(*problems: Problem) -> list[Problem]:
    """The expected problems in the loader's order: by file path, then line and column."""
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))


@pytest.fixture
def broken(fixtures: Path, tmp_path: Path) -> Broken:
    return Broken(fixtures / "atlas", tmp_path / "overlay")


def test_duplicate_key_within_a_file(broken: Broken) -> None:
    row = "intel,Intel,INTC,NASDAQ,,50863,US,true,,,"
    problems = broken.problems(companies=[row, "amd,AMD,AMD2,NASDAQ,,,US,true,,,", row])
    assert problems == [
        broken.at("companies.csv", 4, "id", "duplicate key 'intel' (first at line 2)")
    ]


def test_duplicate_composite_key(broken: Broken) -> None:
    row = f"foundry,tsmc,0.6,,,2025-12-31,{ART},actual,"
    problems = broken.problems(shares=[row, row])
    assert (
        broken.at("shares.csv", 3, "company", "duplicate key 'foundry/tsmc' (first at line 2)")
        in problems
    )


def test_unknown_references(broken: Broken) -> None:
    problems = broken.problems(
        memberships=[
            "acme,design-gpu,0.5,2025-12-31,marsbit-2026-03-16,estimate,",
            f"amd,gpu-design,0.1,2025-12-31,{ART},estimate,",
            "amd,foundry,0.1,2025-12-31,nowhere,estimate,",
        ],
        shares=[f"hbm,samsung,0.3,,,2025-12-31,{ART},actual,"],
        markets=["hbm,HBM,memory,revenue,"],
        groups=["fabs,Fabs,tsmc;globalfoundries,"],
        companies=["deepmind,Google DeepMind,,,,,GB,false,google,,"],
    )
    f = broken.at
    assert f("memberships.csv", 2, "company", "unknown company 'acme'") in problems
    assert f("memberships.csv", 3, "segment", "unknown segment 'gpu-design'") in problems
    assert f("memberships.csv", 4, "source", "unknown source 'nowhere'") in problems
    assert f("shares.csv", 2, "market", "unknown market 'hbm'") not in problems  # defined
    assert f("markets.csv", 2, "segment", "unknown segment 'memory'") in problems
    assert f("groups.csv", 2, "members", "unknown company 'globalfoundries'") in problems
    assert f("companies.csv", 2, "parent", "unknown parent company 'google'") in problems
    assert len(problems) == 6


def test_unknown_market_and_figure_subject(broken: Broken) -> None:
    problems = broken.problems(
        shares=[f"hbm,samsung,0.3,,,2025-12-31,{ART},actual,"],
        figures=[
            f"x1,company,nvida,revenue,1,,,usd_billion,2025,actual,{ART},,",
            f"x2,layer,models,capex,1,,,usd_billion,2025,actual,{ART},,",
            f"x3,economy,world,gdp,1,,,usd_billion,2025,actual,{ART},,",
        ],
    )
    assert problems == [
        broken.at("figures.csv", 2, "subject", "unknown company 'nvida'"),
        broken.at("figures.csv", 3, "subject", "unknown layer 'models'"),
        broken.at("shares.csv", 2, "market", "unknown market 'hbm'"),
    ]


def test_flow_endpoints(broken: Broken) -> None:
    problems = broken.problems(
        flows=[
            f"f1,microsoft,openai,equity_investment,13,,,2019-2023,{ART},high,",
            f"f2,nvidia,nvidia,services,1,,,2025,{ART},low,",
            f"f3,hyperscalers,foundry,capex_purchase,1,,,2025,{ART},low,",  # group -> segment: ok
        ]
    )
    assert problems == [
        broken.at("flows.csv", 2, "to", "unknown company, segment or group 'openai'"),
        broken.at("flows.csv", 3, "to", "a flow cannot go from a node to itself"),
    ]


def test_company_id_must_not_be_a_segment_or_group(broken: Broken) -> None:
    problems = broken.problems(
        companies=["foundry,Foundry Inc,,,,,US,false,,,", "hyperscalers,Hyper Inc,,,,,US,false,,,"]
    )
    assert problems == [
        broken.at("companies.csv", 2, "id", "company id 'foundry' is also a segment id"),
        broken.at("companies.csv", 3, "id", "company id 'hyperscalers' is also a segment id"),
        broken.at("companies.csv", 3, "id", "company id 'hyperscalers' is also a group id"),
    ]


def test_shares_of_a_market_sum_above_one(broken: Broken) -> None:
    # fixture foundry shares: tsmc 0.70 + samsung 0.072; the overlay adds 0.25 -> 1.022
    problems = broken.problems(shares=[f"foundry,amd,0.25,,,2025-12-31,{ART},actual,"])
    base = broken.base / "shares.csv"
    assert problems == [
        broken.at(
            "shares.csv",
            2,
            "share",
            f"shares of market 'foundry' sum to 1.02 (> 1): tsmc 0.7 ({base}:3), "
            f"samsung 0.072 ({base}:4), amd 0.25 (line 2)",
        )
    ]


def test_shares_within_tolerance_pass(broken: Broken, fixtures: Path) -> None:
    # 0.70 + 0.072 + 0.23 = 1.002: within the 0.005 rounding tolerance
    (broken.dir / "shares.csv").write_text(
        H["shares.csv"] + f"\nfoundry,amd,0.23,,,2025-12-31,{ART},actual,\n"
    )
    assert len(load_atlas(broken.dir, base=broken.base).shares) == 4


def test_membership_weights_above_one(broken: Broken) -> None:
    # fixture: nvidia design-gpu 0.91 (line 2 of the fixture); overlay adds foundry 0.2
    problems = broken.problems(memberships=[f"nvidia,foundry,0.2,2025-12-31,{ART},estimate,"])
    base = broken.base / "memberships.csv"
    assert problems == [
        broken.at(
            "memberships.csv",
            2,
            "weight",
            f"weights of company 'nvidia' sum to 1.11 (> 1): design-gpu 0.91 ({base}:2), "
            "foundry 0.2 (line 2)",
        )
    ]


def test_bad_values_are_reported_per_cell(broken: Broken) -> None:
    problems = broken.problems(
        shares=[
            f"foundry,intel,0.01,,,2025-13-01,{ART},actual,",
            f"foundry,amd,lots,,,2025-12-31,{ART},actual,",
            f"foundry,nvidia,0.01,,,2025-12-31,{ART},guess,",
            f"foundry,microsoft,,,,2025-12-31,{ART},actual,",
        ]
    )
    f = broken.at
    assert problems == [
        f("shares.csv", 2, "as_of", "bad date '2025-13-01' (expected YYYY-MM-DD)"),
        # the row failed type checks, its references are still checked (intel is not in
        # the fixture atlas)
        f("shares.csv", 2, "company", "unknown company 'intel'"),
        f("shares.csv", 3, "share", "not a number: 'lots'"),
        f(
            "shares.csv",
            4,
            "kind",
            "unknown value 'guess' (expected one of: 'actual', 'estimate' or 'projection')",
        ),
        f("shares.csv", 5, "share", "required value is missing"),
    ]


def test_negative_amounts_and_ranges(broken: Broken) -> None:
    problems = broken.problems(
        flows=[
            f"f1,microsoft,nvidia,capex_purchase,-5,,,2025,{ART},low,",
            f"f2,microsoft,nvidia,capex_purchase,,30,20,2025,{ART},low,",
            f"f3,microsoft,nvidia,capex_purchase,50,20,30,2025,{ART},low,",
            f"f4,microsoft,nvidia,capex_purchase,10,20,,2025,{ART},low,",
        ],
        memberships=[f"amd,foundry,-0.1,2025-12-31,{ART},estimate,"],
    )
    f = broken.at
    assert problems == [
        f("flows.csv", 2, "amount", "must not be negative, got -5"),
        f("flows.csv", 3, "low", "low 30 is above high 20"),
        f("flows.csv", 4, "amount", "amount 50 is outside [20, 30]"),
        f("flows.csv", 5, "amount", "amount 10 is outside [20, inf]"),
        f("memberships.csv", 2, "weight", "must be >= 0, got -0.1"),
    ]


def test_share_fraction_and_estimate_ranges(broken: Broken) -> None:
    problems = broken.problems(
        shares=[
            f"ai-accelerators,amd,5,,,2025-12-31,{ART},actual,percent by mistake",
            f"foundry,nvidia,0.01,,,2025-12-31,{ART},estimate,",
            "foundry,amd,0.01,,,2025-12-31,editors,actual,",
        ],
        figures=["e1,company,amd,revenue,30,,,usd_billion,2025,estimate,editors,,"],
    )
    f = broken.at
    assert problems == [
        f("figures.csv", 2, "low", "an editorial estimate must give low and high"),
        f("shares.csv", 2, "share", "share must be a fraction 0-1, got 5"),
        f(
            "shares.csv",
            2,
            "share",
            "shares of market 'ai-accelerators' sum to 5.92 "
            f"(> 1): nvidia 0.92 ({broken.base / 'shares.csv'}:2), amd 5 (line 2)",
        ),
        f("shares.csv", 3, "low", "a share of kind estimate must give low and high"),
        f("shares.csv", 4, "low", "an editorial estimate must give low and high"),
    ]


def test_source_needs_url_or_accession(broken: Broken) -> None:
    problems = broken.problems(
        sources=[
            "s1,Some report,ACME,,,2025-01-01,research_estimate,",
            "s2,Some page,ACME,www.example.com,,2025-01-01,company_release,",
            "s3,A 10-K,SEC EDGAR,,0001045810-26,2026-01-01,filing,",
            "s4,Ok,SEC EDGAR,,0001045810-26-000021,2026-01-01,filing,",
            "s5,Internal,ACME,stackatlas:README.md,,2025-01-01,company_release,",
        ]
    )
    f = broken.at
    assert problems == [
        f("sources.csv", 2, "url", "a source needs a url or a filing accession"),
        f(
            "sources.csv",
            3,
            "url",
            "url must start with http:// or https://, got 'www.example.com'",
        ),
        f(
            "sources.csv",
            4,
            "accession",
            "accession must look like 0001045810-26-000021, got '0001045810-26'",
        ),
        f(
            "sources.csv",
            6,
            "url",
            "url must start with http:// or https://, got 'stackatlas:README.md'",
        ),
    ]


def test_header_problems(broken: Broken) -> None:
    problems = broken.problems(
        groups="id,name,members,colour\ng1,G,nvidia,red\n",
        markets="id,name,measure\nhbm,HBM,revenue\n",
    )
    f = broken.at
    expected = "unknown column 'colour' (expected: id, name, members, layer, description)"
    assert f("groups.csv", 1, "colour", expected) in problems
    assert f("markets.csv", 1, "segment", "required column is missing from the header") in problems
    assert f("markets.csv", 2, "segment", "required value is missing") in problems


def test_row_with_too_many_cells(broken: Broken) -> None:
    problems = broken.problems(groups=["g1,Chip makers,nvidia;amd,Nvidia, AMD and friends"])
    assert problems == [
        broken.at("groups.csv", 2, None, "5 cells but the header has 4 columns (unquoted comma?)")
    ]


def test_dependencies(broken: Broken) -> None:
    ok = f"0.1,0.05,0.2,estimate,,2025-12-31,{ART},,,"
    problems = broken.problems(
        dependencies=[
            f"tsmc,tsmc,foundry,0.5,0.4,0.6,estimate,{ok}",
            f"tsmc,nvidia,foundry,1.5,,,reported,{ok}",
            f"samsung,nvidia,foundry,0.2,,,estimate,{ok}",
            f"samsung,amd,foundry,0.2,0.3,0.1,estimate,{ok}",
            f"tsmc,amd,foundry,0.75,0.8,0.9,estimate,{ok}",
            f"tsmc,microsoft,foundry,0.9,0.8,1,derived,0.1,,,reported,,2025-12-31,nowhere,"
            f"{ART};gone,,",
        ]
    )
    assert problems == [
        broken.at("dependencies.csv", 2, "customer", "supplier and customer are the same company"),
        broken.at("dependencies.csv", 3, "input_share", "must be <= 1, got 1.5"),
        broken.at(
            "dependencies.csv",
            4,
            "input_low",
            "input_share is an estimate: give input_low and input_high",
        ),
        broken.at("dependencies.csv", 5, "input_low", "input_low 0.3 is above input_high 0.1"),
        broken.at("dependencies.csv", 6, "input_share", "input_share 0.75 is outside [0.8, 0.9]"),
        broken.at("dependencies.csv", 7, "other_sources", "unknown source 'gone'"),
        broken.at("dependencies.csv", 7, "source", "unknown source 'nowhere'"),
    ]


def test_upstream_edge_rule(broken: Broken) -> None:
    """Once a segment declares the inputs it buys, each of its companies needs an explicit
    upstream edge in one of them or an exemption; groups must be declared ones."""
    layers = (
        "- id: chips\n  segments:\n    - id: design-gpu\n      name: GPU design\n"
        "      description: Merchant GPU designers.\n      inputs: [foundry, memory]\n"
    )
    ok = f"0.1,0.05,0.2,estimate,,2025-12-31,{ART},,,"
    problems = broken.problems(
        layers_yaml=layers,
        dependencies=[f"tsmc,nvidia,foundy,1,0.9,1,estimate,{ok}"],
        upstream_exemptions=[f"constellation,not a chip buyer,{ART}"],
    )
    # problems come sorted by file path; the overlay (tmp) and fixture paths sort either way
    assert problems == in_file_order(
        broken.at(
            "dependencies.csv",
            2,
            "group",
            "unknown input group 'foundy' (segments in layers.yaml declare: foundry, memory)",
        ),
        *(
            Problem(
                str(broken.base / "memberships.csv"),
                line,
                "company",
                f"'{cid}' is in segment 'design-gpu', which buys foundry, memory, but has no "
                "explicit upstream edge in dependencies.csv: add one (with its source) or a row "
                "in upstream_exemptions.csv saying why not",
            )
            for line, cid in ((2, "nvidia"), (3, "amd"))  # a mistyped group is no edge
        ),
    )
    # an exemption for a company with edges is reported; amd's exemption is accepted
    problems = broken.problems(
        layers_yaml=layers,
        dependencies=[f"tsmc,nvidia,foundry,1,0.9,1,estimate,{ok}"],
        upstream_exemptions=[f"amd,test reason,{ART}", f"nvidia,has edges,{ART}"],
    )
    assert problems == [
        broken.at(
            "upstream_exemptions.csv",
            3,
            "company",
            "'nvidia' has explicit upstream edges in dependencies.csv: remove the exemption",
        )
    ]


def test_ticker_used_twice(broken: Broken) -> None:
    problems = broken.problems(companies=["nvda2,Nvidia clone,nvda,NASDAQ,,,US,true,,,"])
    assert problems == [
        broken.at("companies.csv", 2, "ticker", "ticker 'nvda' is also used by 'nvidia'")
    ]


def test_layers_yaml_problems_have_lines(broken: Broken) -> None:
    problems = broken.problems(
        layers_yaml=(
            "- id: chips\n"  # 1
            "  level: 7\n"  # 2
            "  segments:\n"  # 3
            "    - id: memory\n"  # 4
            "      name: Memory\n"  # 5
            "    - id: ipp\n"  # 6
            "      name: IPP again\n"  # 7
            "      description: x\n"  # 8
        )
    )
    f = broken.at
    assert problems == [
        f("layers.yaml", 2, "level", "must be <= 5, got 7"),
        f("layers.yaml", 4, "segments.2.description", "required value is missing"),
    ]
    # once the row errors are fixed, the cross-layer check names the duplicated segment
    problems = broken.problems(
        layers_yaml=(
            "- id: chips\n  segments:\n    - id: ipp\n      name: IPP again\n      description: x\n"
        )
    )
    assert problems == [
        f("layers.yaml", 3, "segments.2.id", "segment 'ipp' is already defined in layer 'energy'")
    ]


def test_invalid_yaml(broken: Broken) -> None:
    problems = broken.problems(layers_yaml="- id: chips\n  name: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].file == str(broken.dir / "layers.yaml")
    assert problems[0].message.startswith("invalid YAML")


def test_all_files_reported_together(broken: Broken) -> None:
    problems = broken.problems(
        companies=["x,X,,,,,US,maybe,,,"],
        flows=[f"f1,microsoft,nvidia,gift,1,,,2025,{ART},low,"],
        figures=[
            f"g1,company,amd,revenue,1,,,usd_billion,2025,actual,{ART},,",
            f"g1,company,amd,revenue,2,,,usd_billion,2025,actual,{ART},,",
        ],
    )
    assert [(Path(p.file).name, p.line, p.column) for p in problems] == [
        ("companies.csv", 2, "listed"),
        ("figures.csv", 3, "id"),
        ("flows.csv", 2, "kind"),
    ]
    assert problems[0].message == "expected true or false, got 'maybe'"
    text = str(AtlasValidationError(problems))
    assert text.startswith("3 problem(s):") and "flows.csv:2 [kind]" in text


def test_missing_required_file_in_base(fixtures: Path, tmp_path: Path) -> None:
    import shutil

    base = tmp_path / "base"
    shutil.copytree(fixtures / "atlas", base)
    (base / "sources.csv").unlink()
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(base=base)
    problems = info.value.problems
    assert Problem(f"{base}/sources.csv", None, None, "file is missing") in problems
    # every citation now dangles too, and all of it is reported at once
    assert (
        Problem(f"{base}/figures.csv", 2, "source", "unknown source 'marsbit-2026-03-16'")
        in problems
    )


def test_misnamed_overlay_file_is_reported(broken: Broken) -> None:
    problems = broken.problems(company_csv="id,name\nx,X\n")
    assert problems == [
        broken.at(
            "company.csv",
            None,
            None,
            "not an atlas file name (expected one of: layers.yaml, sources.csv, companies.csv, "
            "memberships.csv, markets.csv, shares.csv, groups.csv, flows.csv, figures.csv, "
            "dependencies.csv, upstream_exemptions.csv, eto_providers.csv)",
        )
    ]


def test_invalid_rows_do_not_cascade_but_keep_their_references(broken: Broken) -> None:
    problems = broken.problems(
        companies=["newco,NewCo,,,,,US,maybe,ghost-parent,,"],
        memberships=[f"newco,design-gpu,0.5,2025-12-31,{ART},estimate,"],
    )
    # newco's own bad cell and its own dangling parent are reported; the membership that
    # points at the (invalid) newco row is not reported a second time
    assert problems == [
        broken.at("companies.csv", 2, "listed", "expected true or false, got 'maybe'"),
        broken.at("companies.csv", 2, "parent", "unknown parent company 'ghost-parent'"),
    ]


def test_group_layer_must_be_a_known_layer(tmp_path: Path) -> None:
    """A group's optional ``layer`` names the layer its headline figures belong to."""
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "groups.csv").write_text(
        "id,name,members,layer,description\n"
        "fixture-group,Fixture group,microsoft,clouds,typo in the layer id\n"
    )
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(overlay)
    problems = [p for p in info.value.problems if p.file.endswith("groups.csv")]
    assert [(p.line, p.column) for p in problems] == [(2, "layer")]
    assert "clouds" in problems[0].message
