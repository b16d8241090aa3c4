from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import pytest

import dedup.render.matches
from dedup.model import Changes, Cluster, Evidence, Kind, Match, Problem, ScanResult, ViewScores
from dedup.render.matches import FORMATS, Format, render_clusters, render_matches

EVIDENCE = Evidence(
    views=(
        ViewScores("words", 0.07031, 0.06761, 0.13851, 0.11667),
        ViewScores("skeleton", 0.36719, 0.39899, 0.64228, 0.51299),
    ),
    aligned_a=0.80438,
    aligned_b=0.68880,
    verbatim=0.65148,
    aligned_sentences=45,
    changes=Changes(swap_pairs=12, a_more_common=9, b_more_common=1),
)
COPY = Evidence((ViewScores("words", 1.0, 1.0, 1.0, 1.0),), 1.0, 1.0, 1.0, 3)
RESULT = ScanResult(
    matches=(
        Match("copy.txt", "original.txt", Kind.EXACT, 1.0, COPY, "same words"),
        Match("original.txt", "spun-article.txt", Kind.SPUN, 0.80438, EVIDENCE, "swapped"),
    ),
    documents=5,
    problems=(Problem("blob.bin", "binary data (NUL bytes), not text"),),
)
CLUSTERS = [
    Cluster(
        ("copy.txt", "original.txt", "spun-article.txt"),
        (Kind.EXACT, Kind.SPUN),
        1.0,
        "original.txt",
    ),
    Cluster(("x", "y"), (Kind.PARTIAL,), 0.33333),
]


NOTHING_CHANGED = {  # the evidence fields of a match measured with no alignment details
    "copied_a": 0,
    "copied_b": 0,
    "boilerplate": 0,
    "quotations": 0,
    "beyond": 0,
    "changes": dict.fromkeys(
        [
            "substituted",
            "isolated",
            "changed",
            "indels",
            "facts",
            "facts_kept",
            "fact_swaps",
            "name_swaps",
            "numbers",
            "numbers_kept",
            "swap_pairs",
            "a_more_common",
            "b_more_common",
            "passage_words",
        ],
        0,
    ),
}
SPUN_CHANGES = {
    **dict.fromkeys(dedup.render.matches._CHANGE_FIELDS, 0),
    "swap_pairs": 12,
    "a_more_common": 9,
    "b_more_common": 1,
}


# -- pairs ------------------------------------------------------------------------------


def test_table_aligns_columns_and_summarises_the_evidence() -> None:
    assert render_matches(RESULT) == (
        "score   kind   a             b                 original  evidence"
        "                                        why\n"
        "1.0000  exact  copy.txt      original.txt      -         aligned 100%/100%, "
        "verbatim 100%, words J 1.00  same words\n"
        "0.8044  spun   original.txt  spun-article.txt  a         aligned 80%/69%, "
        "verbatim 65%, skeleton J 0.40  swapped\n"
        "2 pairs among 5 documents\n"
    )


def test_table_of_nothing_says_so() -> None:
    assert render_matches(ScanResult((), 1)) == "no duplicates among 1 document\n"


def test_json_is_one_document_with_counts_matches_and_problems() -> None:
    document = json.loads(render_matches(RESULT, format="json"))
    assert document == {
        "documents": 5,
        "matches": [
            {
                "a": "copy.txt",
                "b": "original.txt",
                "kind": "exact",
                "score": 1.0,
                "original": None,
                "original_confidence": 0.0,
                "evidence": {
                    "aligned_a": 1.0,
                    "aligned_b": 1.0,
                    "verbatim": 1.0,
                    "aligned_sentences": 3,
                    **NOTHING_CHANGED,
                    "views": {
                        "words": {
                            "estimated_jaccard": 1.0,
                            "jaccard": 1.0,
                            "containment_a": 1.0,
                            "containment_b": 1.0,
                        }
                    },
                },
                "reason": "same words",
            },
            {
                "a": "original.txt",
                "b": "spun-article.txt",
                "kind": "spun",
                "score": 0.8044,
                "original": "original.txt",  # the rarer words are in spun-article.txt
                "original_confidence": 0.9785,
                "evidence": {
                    "aligned_a": 0.8044,
                    "aligned_b": 0.6888,
                    "verbatim": 0.6515,
                    "aligned_sentences": 45,
                    **NOTHING_CHANGED,
                    "changes": SPUN_CHANGES,
                    "views": {
                        "words": {
                            "estimated_jaccard": 0.0703,
                            "jaccard": 0.0676,
                            "containment_a": 0.1385,
                            "containment_b": 0.1167,
                        },
                        "skeleton": {
                            "estimated_jaccard": 0.3672,
                            "jaccard": 0.399,
                            "containment_a": 0.6423,
                            "containment_b": 0.513,
                        },
                    },
                },
                "reason": "swapped",
            },
        ],
        "problems": [{"source": "blob.bin", "message": "binary data (NUL bytes), not text"}],
    }


def test_jsonl_is_one_json_match_per_line() -> None:
    lines = render_matches(RESULT, format="jsonl").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(
        render_matches(RESULT, format="json")
    )["matches"]


def test_jsonl_of_nothing_is_empty() -> None:
    assert render_matches(ScanResult((), 3), format="jsonl") == ""


def test_csv_has_a_header_and_one_flat_row_per_pair() -> None:
    assert render_matches(RESULT, format="csv") == (
        "a,b,kind,score,original,original_confidence,"
        "aligned_a,aligned_b,verbatim,aligned_sentences,copied_a,copied_b,boilerplate,quotations,"
        "beyond,substituted,isolated,changed,indels,facts,facts_kept,fact_swaps,name_swaps,numbers,numbers_kept,"
        "swap_pairs,a_more_common,b_more_common,passage_words,"
        "words_estimated_jaccard,words_jaccard,words_containment_a,words_containment_b,"
        "skeleton_estimated_jaccard,skeleton_jaccard,skeleton_containment_a,"
        "skeleton_containment_b,reason\n"
        "copy.txt,original.txt,exact,1.0,,0.0,1.0,1.0,1.0,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
        "1.0,1.0,1.0,1.0,,,,,same words\n"
        "original.txt,spun-article.txt,spun,0.8044,original.txt,0.9785,0.8044,0.6888,0.6515,45,"
        "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,12,9,1,0,"
        "0.0703,0.0676,0.1385,0.1167,0.3672,0.399,0.6423,0.513,swapped\n"
    )


def test_csv_header_comes_from_the_views_given_even_without_matches() -> None:
    header = render_matches(ScanResult((), 3), format="csv", views=["skeleton"])
    assert header == (
        "a,b,kind,score,original,original_confidence,"
        "aligned_a,aligned_b,verbatim,aligned_sentences,copied_a,copied_b,boilerplate,quotations,"
        "beyond,substituted,isolated,changed,indels,facts,facts_kept,fact_swaps,name_swaps,numbers,numbers_kept,"
        "swap_pairs,a_more_common,b_more_common,passage_words,"
        "skeleton_estimated_jaccard,skeleton_jaccard,skeleton_containment_a,"
        "skeleton_containment_b,reason\n"
    )


def test_csv_quotes_ids_that_need_it() -> None:
    match = Match('a, "quoted"', "b", Kind.EXACT, 1.0, COPY)
    rows = list(csv.reader(io.StringIO(render_matches(ScanResult((match,), 2), format="csv"))))
    assert rows[1][:2] == ['a, "quoted"', "b"]


# -- groups -----------------------------------------------------------------------------


def test_cluster_table() -> None:
    assert render_clusters(CLUSTERS, documents=6) == (
        "score   kinds       keep          documents\n"
        "1.0000  exact,spun  original.txt  copy.txt, original.txt, spun-article.txt\n"
        "0.3333  partial     -             x, y\n"
        "2 groups among 6 documents\n"
    )


def test_cluster_table_shortens_a_giant_cluster_and_json_lists_it_all() -> None:
    ids = tuple(f"page{n:05d}" for n in range(10_000))
    giant = (Cluster(ids, (Kind.NEAR_DUPLICATE,), 1.0),)
    line = render_clusters(giant, documents=10_000).splitlines()[1]
    assert line.endswith("page00019 and 9,980 more (10,000 documents)")
    assert "page00020" not in line
    listed = json.loads(render_clusters(giant, documents=10_000, format="json"))
    assert len(json.dumps(listed)) > 10_000 * 9  # every id
    assert "page09999" in json.dumps(listed)


def test_cluster_json() -> None:
    document = json.loads(
        render_clusters(CLUSTERS, format="json", documents=6, problems=RESULT.problems)
    )
    assert document == {
        "documents": 6,
        "clusters": [
            {
                "canonical": "original.txt",
                "ids": ["copy.txt", "original.txt", "spun-article.txt"],
                "kinds": ["exact", "spun"],
                "score": 1.0,
            },
            {"canonical": None, "ids": ["x", "y"], "kinds": ["partial"], "score": 0.3333},
        ],
        "problems": [{"source": "blob.bin", "message": "binary data (NUL bytes), not text"}],
    }


def test_cluster_jsonl() -> None:
    assert render_clusters(CLUSTERS, format="jsonl") == (
        '{"canonical": "original.txt", "ids": ["copy.txt", "original.txt", '
        '"spun-article.txt"], "kinds": ["exact", "spun"], "score": 1.0}\n'
        '{"canonical": null, "ids": ["x", "y"], "kinds": ["partial"], "score": 0.3333}\n'
    )


def test_cluster_csv_has_one_row_per_member() -> None:
    assert render_clusters(CLUSTERS, format="csv") == (
        "cluster,id,canonical,score,kinds\n"
        "1,copy.txt,false,1.0,exact spun\n"
        "1,original.txt,true,1.0,exact spun\n"
        "1,spun-article.txt,false,1.0,exact spun\n"
        "2,x,false,0.3333,partial\n"
        "2,y,false,0.3333,partial\n"
    )


@pytest.mark.parametrize(
    ("format", "expected"),
    [
        pytest.param("table", "no duplicates among 4 documents\n", id="table"),
        pytest.param(
            "json",
            '{\n  "documents": 4,\n  "clusters": [],\n  "problems": []\n}\n',
            id="json",
        ),
        pytest.param("jsonl", "", id="jsonl"),
        pytest.param("csv", "cluster,id,canonical,score,kinds\n", id="csv"),
    ],
)
def test_no_clusters(format: Format, expected: str) -> None:
    assert render_clusters([], format=format, documents=4) == expected


# -- all formats ------------------------------------------------------------------------


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_ends_with_a_newline(format: Format) -> None:
    assert render_matches(RESULT, format=format).endswith("\n")
    assert render_clusters(CLUSTERS, format=format).endswith("\n")


def test_non_ascii_ids_are_kept_as_is() -> None:
    match = Match("café.txt", "naïve.txt", Kind.EXACT, 1.0, COPY)
    assert '"a": "café.txt"' in render_matches(ScanResult((match,), 2), format="json")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of table, json, jsonl, csv"):
        render_matches(RESULT, format="html")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format must be one of table, json, jsonl, csv"):
        render_clusters(CLUSTERS, format="xml")  # type: ignore[arg-type]


def test_report_knows_only_the_value_types() -> None:
    tree = ast.parse(Path(dedup.render.matches.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert {name for name in imported if name.split(".")[0] in {"dedup", "click"}} == {
        "dedup.model"
    }


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped() -> None:
    hostile = [
        Match('=HYPERLINK("http://x")', "@SUM(A1)", m.kind, m.score, m.evidence, m.reason)
        for m in RESULT.matches[:1]
    ]
    text = render_matches(ScanResult(tuple(hostile), 2), format="csv")
    row = next(csv.reader(io.StringIO(text.splitlines()[1])))
    assert row[:2] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]
    plain = [Match("-", "b.txt", m.kind, m.score, m.evidence, m.reason) for m in hostile]
    text = render_matches(ScanResult(tuple(plain), 2), format="csv")
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[:2] == ["-", "b.txt"]  # stdin
