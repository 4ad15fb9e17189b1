"""Browse it: the SQLite export with Datasette's metadata, templates and
plugin, checked with Datasette's own test client, and real-browser tests
(headless Chromium, driven over the DevTools protocol) that search, click
and fill in the questions as a clinician would, with screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import jakdata

try:
    import datasette  # noqa: F401
except ImportError:
    if os.environ.get("JAKDATA_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip('Datasette is the optional extra "jakdata[browse]"', allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from jakdata.tools.browse import build

    where = tmp_path_factory.mktemp("site")
    db, meta = build(jakdata.load(), where)
    return db, json.loads(meta.read_text(encoding="utf-8"))


def get(site, path):
    from datasette.app import Datasette

    from jakdata.tools.browse import PLUGINS, TEMPLATES

    db, meta = site

    async def fetch():
        ds = Datasette([str(db)], metadata=meta, template_dir=str(TEMPLATES), plugins_dir=str(PLUGINS))
        return await ds.client.get(path)

    return asyncio.run(fetch())


def test_metadata_comes_from_the_schemas_and_descriptor(site):
    _, meta = site
    ds = jakdata.load()
    tables = meta["databases"]["jakdata"]["tables"]
    for name in ds.tables:  # every table and every described column, nothing by hand
        schema = ds.schema(name)
        assert tables[name]["description"] == schema.get("description", "")
        for f in schema["fields"]:
            if f.get("description"):
                assert tables[name]["columns"][f["name"]] == f["description"]
    assert ds.version in meta["description"] and "fingerprint" in meta["description"]
    assert meta["license"] == ds.descriptor["licenses"][0]["title"]
    assert {
        "evidence_for_a_drug_in_an_indication",
        "trials_of_a_drug_with_primary_results",
        "approvals_by_regulator_and_date",
        "safety_findings_of_a_drug",
    } <= set(meta["databases"]["jakdata"]["queries"])


def test_index_and_every_table(site):
    r = get(site, "/")
    assert r.status_code == 200 and "jakdata" in r.text
    for table in [*jakdata.load().tables, "search_names"]:
        r = get(site, f"/jakdata/{table}.json?_shape=objects&_size=1")
        assert r.status_code == 200, table
        assert "rows" in r.json()


def test_a_facet(site):
    r = get(site, "/jakdata/studies.json?_facet=indication_id")
    assert r.status_code == 200
    facet = r.json()["facet_results"]["indication_id"]["results"]
    assert {f["value"] for f in facet} >= {"atopic-dermatitis", "alopecia-areata", "psoriasis"}


def test_foreign_keys_show_labels(site):
    r = get(site, "/jakdata/outcomes.json?_labels=on&drug_id=upadacitinib&_size=1")
    row = r.json()["rows"][0]
    assert row["drug_id"] == {"value": "upadacitinib", "label": "upadacitinib"} or row["drug_id"]["label"]


@pytest.mark.parametrize("name", ["乌帕替尼", "упадацитиниб", "Rinvoq"])
def test_search_in_any_language_finds_upadacitinib(site, name):
    r = get(site, f"/jakdata/search_names.json?_search={urllib.parse.quote(name)}&_shape=objects")
    assert r.status_code == 200
    assert "upadacitinib" in {row["entity_id"] for row in r.json()["rows"]}


@pytest.mark.parametrize("name", ["Упадацитиниб", "RINVOQ", "upadacitinib"])
def test_canned_queries_take_any_name_in_any_case(site, name):
    for query in ("evidence_for_a_drug_in_an_indication", "safety_findings_of_a_drug"):
        r = get(
            site, f"/jakdata/{query}.json?drug={urllib.parse.quote(name)}&indication=atopic-dermatitis&_shape=objects"
        )
        assert r.status_code == 200 and r.json()["rows"], (query, name)


def test_canned_query_trials_of_a_drug_by_its_chinese_name(site):
    r = get(
        site,
        "/jakdata/trials_of_a_drug_with_primary_results.json?drug="
        + urllib.parse.quote("乌帕替尼")
        + "&_shape=objects",
    )
    assert r.status_code == 200
    rows = r.json()["rows"]
    trials = {row["trial"] for row in rows}
    assert {"Measure Up 1", "Heads Up", "Rising Up"} <= trials
    assert any(row["value"] is not None and row["source_link"] for row in rows)


def test_claim_rows_link_to_their_source(site):
    r = get(site, "/jakdata/outcomes.json?_shape=objects&_size=max")
    rows = r.json()["rows"]
    linked = [row for row in rows if row["source_link"]]
    assert len(linked) > 0.9 * len(rows)
    assert all(row["source_link"].startswith("http") for row in linked)


def test_export_writes_the_metadata_beside_the_database(tmp_path, cli):
    code, _, err = cli("export", "--format", "sqlite", "-o", str(tmp_path / "jak.sqlite"))
    assert code == 0, err
    meta = json.loads((tmp_path / "jak.metadata.json").read_text(encoding="utf-8"))
    assert "jak" in meta["databases"]  # named after the file, as Datasette names the database


def test_browse_without_datasette_is_one_line(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette", None)
    code, _, err = cli("browse")
    assert code == 2 and 'pip install "jakdata[browse]"' in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["乌帕替尼", "упадацитиниб", "RINVOQ", "Upadacitinib", "ABT-494", "upada"])
def test_one_search_box_finds_every_name_and_links_to_its_page(site, name):
    r = get(site, "/jakdata/search.json?_shape=objects&q=" + urllib.parse.quote(name))
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert rows[0] == {**rows[0], "type": "drug", "name": "upadacitinib", "page": "drugs/upadacitinib"}
    html = get(site, "/jakdata/search?q=" + urllib.parse.quote(name)).text
    assert '<a href="/jakdata/drugs/upadacitinib">upadacitinib</a>' in html


def test_search_reaches_indications_and_trials_in_any_language(site):
    rows = get(site, "/jakdata/search.json?_shape=objects&q=" + urllib.parse.quote("特应性皮炎")).json()["rows"]
    assert rows[0]["type"] == "indication" and rows[0]["page"] == "indications/atopic-dermatitis"
    rows = get(site, "/jakdata/search.json?_shape=objects&q=nct03569293").json()["rows"]
    assert rows[0] == {**rows[0], "type": "study", "name": "Measure Up 1", "page": "studies/measure-up-1"}
    html = get(site, "/jakdata/search?q=zzzunknown").text
    assert "No name in jakdata contains “zzzunknown”" in html and "0 results" not in html


def test_the_drug_page_lists_approvals_trials_evidence_and_warnings(site):
    r = get(site, "/jakdata/drugs/upadacitinib")
    assert r.status_code == 200
    html = r.text
    approvals = html.split('id="approvals"')[1].split('id="trials"')[0]
    assert "FDA" in approvals and "RINVOQ" in approvals and "Atopic dermatitis" in approvals
    trials = html.split('id="trials"')[1].split('id="evidence"')[0]
    for trial in ("Measure Up 1", "Measure Up 2", "AD Up", "Heads Up", "Rising Up", "Level Up", "Viti-Up"):
        assert f">{trial}</a>" in trials, trial
    assert "upadacitinib-vitiligo-phase2" not in trials.replace(
        'href="/jakdata/studies/upadacitinib-vitiligo-phase2"', ""
    )
    assert "Upadacitinib phase 2 trial" in trials  # no acronym and no readable title: drug, phase and design
    assert "boxed-warning" in html.split('id="warnings"')[1]
    assert "乌帕替尼" in html and "Rinvoq" in html  # its other names


def test_the_indication_page_takes_in_its_subtypes(site):
    html = get(site, "/jakdata/indications/rosacea").text
    assert "Papulopustular rosacea" in html and "Subtypes (included below)" in html
    html = get(site, "/jakdata/indications/atopic-dermatitis").text
    assert "RINVOQ" in html and "CIBINQO" in html and ">JADE MONO-1</a>" in html


@pytest.mark.parametrize("indication", ["atopic dermatitis", "Atopic Dermatitis", "特应性皮炎", "atopic-dermatitis"])
def test_evidence_question_takes_the_indication_by_any_name(site, indication):
    q = urllib.parse.urlencode({"drug": "Rinvoq", "indication": indication, "_shape": "objects", "_size": "max"})
    rows = get(site, "/jakdata/evidence_for_a_drug_in_an_indication.json?" + q).json()["rows"]
    assert len(rows) == 50  # 0.5.0 adds Level Up's week-16 EASI 90 and WP-NRS 0/1 (level-up-out-007, -009)
    assert {r["drug"] for r in rows} == {"upadacitinib"} and {r["indication"] for r in rows} == {"Atopic dermatitis"}


def test_question_results_show_names_not_ids(site):
    ds = jakdata.load()
    q = urllib.parse.urlencode({"drug": "Rinvoq", "indication": "atopic dermatitis", "_shape": "objects"})
    rows = get(site, "/jakdata/evidence_for_a_drug_in_an_indication.json?" + q).json()["rows"]
    ids = set(ds.studies["study_id"]) | set(ds.measures["measure_id"]) | set(ds.indications["indication_id"])
    for row in rows:
        for col in ("trial", "drug", "indication", "measure"):
            assert row[col] and row[col] not in ids, (col, row[col])
    assert "EASI-75 response" in {r["measure"] for r in rows}
    html = get(site, "/jakdata/evidence_for_a_drug_in_an_indication?" + q).text
    assert '<details class="jak-sql">' in html  # the SQL is there, folded, not the first thing on the page
    assert html.index("jak-sql") > html.index("rows-and-columns")


def test_unknown_names_are_said_on_the_page(site):
    q = urllib.parse.urlencode({"drug": "Rinvok", "indication": "atopic dermatitis"})
    html = get(site, "/jakdata/evidence_for_a_drug_in_an_indication?" + q).text
    assert "No drug is called “Rinvok” in jakdata." in html and "0 results" not in html
    assert 'Indication “atopic dermatitis”: <a href="/jakdata/indications/atopic-dermatitis">' in html
    html = get(site, "/jakdata/trials_of_a_drug_with_primary_results?drug=tofa").text
    assert "No drug is called “tofa” in jakdata. Did you mean" in html and ">tofacitinib</a>" in html


def test_a_trial_without_an_acronym_is_named_by_its_title(site):
    r = get(site, "/jakdata/outcomes.json?_labels=on&study_id=ivarmacitinib-ad-phase3&_size=1&_shape=objects")
    label = r.json()["rows"][0]["study_id"]["label"]
    assert label.startswith("Ivarmacitinib for Moderate to Severe Atopic Dermatitis")
    assert "<h1>Ivarmacitinib for Moderate" in get(site, "/jakdata/studies/ivarmacitinib-ad-phase3").text


def test_no_page_shows_none_for_a_label(site):
    import re

    ds = jakdata.load()
    paths = ["/", "/jakdata", *(f"/jakdata/{t}?_size=max" for t in ds.tables)]
    paths += [f"/jakdata/studies/{s}" for s in ds.studies["study_id"]]
    paths += [f"/jakdata/drugs/{d}" for d in ds.drugs["drug_id"]]
    paths += [f"/jakdata/indications/{i}" for i in ds.indications["indication_id"]]
    paths += [
        "/jakdata/evidence_for_a_drug_in_an_indication?drug=upadacitinib&indication=atopic+dermatitis",
        "/jakdata/trials_of_a_drug_with_primary_results?drug=baricitinib",
        "/jakdata/approvals_by_regulator_and_date?regulator=",
        "/jakdata/safety_findings_of_a_drug?drug=tofacitinib",
        "/jakdata/search?q=a",
    ]
    for path in paths:
        r = get(site, path)
        assert r.status_code == 200, path
        assert not re.search(r"\bNone\b", r.text), path


def test_column_descriptions_fold_behind_a_toggle(site):
    html = get(site, "/jakdata/outcomes").text
    assert 'details.className = "column-descriptions-toggle"' in html  # the plugin's script folds them


def test_the_home_page_offers_search_and_the_questions(site):
    html = get(site, "/").text
    assert 'action="/jakdata/search"' in html and 'name="q"' in html
    for query in (
        "evidence_for_a_drug_in_an_indication",
        "trials_of_a_drug_with_primary_results",
        "approvals_by_regulator_and_date",
        "safety_findings_of_a_drug",
    ):
        assert f'action="/jakdata/{query}"' in html, query


# ---------------------------------------------------------------- a real browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("JAKDATA_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed, and JAKDATA_REQUIRE_BROWSER=1 requires it (apt: chromium)")
        pytest.skip("chromium is not installed (apt: chromium); CI sets JAKDATA_REQUIRE_BROWSER=1")
    return exe


def _browse(port: int) -> subprocess.Popen:
    """`jakdata browse` in a child process, as a user would start it."""
    return subprocess.Popen(
        [sys.executable, "-m", "jakdata", "browse", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = _browse(port)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"jakdata browse ended: {proc.stdout.read()}")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jakdata browse did not start within 120 s")
    yield url, proc
    proc.terminate()
    proc.wait(timeout=20)


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe
    (``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4),
    so a test can click, type and read the page as it is after scripts ran."""

    def __init__(self, profile: Path, width: int = 1400, height: int = 1000):
        import base64  # noqa: F401  (used by screenshot)

        exe = _chromium()
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        import fcntl

        # free descriptors far from 3 and 4, which bash then moves to 3 and 4 for chromium
        keep = (fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 200), fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 200))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.proc = subprocess.Popen(
            [
                "bash",
                "-c",
                f'exec "$0" "$@" 3<&{keep[0]} 4>&{keep[1]} {keep[0]}<&- {keep[1]}>&-',
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            pass_fds=keep,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in keep:
            os.close(fd)
        self._buf = b""
        self._id = 0
        self.width = width
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _send(self, message: dict) -> None:
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")

    def _next(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _wait_for_load(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self._next(deadline).get("method") != "Page.loadEventFired":
            pass

    def open(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)
        self._wait_for_load()

    def js(self, expression: str):
        res = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the element as a user would (a mouse press and release at its centre) and wait for the next page."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent", session=True, type=kind, x=box[0], y=box[1], button="left", clickCount=1
            )
        self._wait_for_load()

    def type_into(self, selector: str, text: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", session=True, text=text)

    @property
    def text(self) -> str:
        return self.js("document.body.innerText")

    @property
    def html(self) -> str:
        return self.js("document.documentElement.outerHTML")

    def screenshot(self, out: Path, max_height: int = 3000) -> Path:
        import base64

        height = min(int(self.js("document.documentElement.scrollHeight")), max_height)
        data = self.call(
            "Page.captureScreenshot",
            session=True,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1},
        )["data"]
        out.write_bytes(base64.b64decode(data))
        assert out.stat().st_size > 10_000
        copy = os.environ.get("JAKDATA_SCREENSHOTS")
        if copy:  # copies for a person to look at
            Path(copy).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out, Path(copy) / out.name)
        return out

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture
def browser(tmp_path):
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def test_search_a_chinese_name_and_click_through_to_the_drug(server, browser, tmp_path):
    url, _ = server
    browser.open(url + "/")
    browser.screenshot(tmp_path / "home.png")
    assert "Search every name, in every language" in browser.text and "Ask a question" in browser.text
    browser.type_into("#jak-q", "乌帕替尼")
    browser.click(".jak-search button")
    assert browser.js("location.pathname") == "/jakdata/search"
    browser.screenshot(tmp_path / "search-upadacitinib.png")
    hits = browser.js("[...document.querySelectorAll('.jak-hits a')].map(a => a.textContent)")
    assert hits == ["upadacitinib"]
    browser.click(".jak-hits a")
    assert browser.js("location.pathname") == "/jakdata/drugs/upadacitinib"
    browser.screenshot(tmp_path / "drug-upadacitinib.png")
    approvals = browser.js("document.querySelector('table.jak-approvals').innerText")
    assert "FDA" in approvals and "RINVOQ" in approvals and "Atopic dermatitis" in approvals
    trials = browser.js("document.querySelector('table.jak-trials').innerText")
    assert "Measure Up 1" in trials and "Heads Up" in trials and "NCT03569293" in trials
    assert "None" not in browser.text


def test_search_an_indication_in_chinese_and_click_through(server, browser, tmp_path):
    url, _ = server
    browser.open(url + "/")
    browser.type_into("#jak-q", "特应性皮炎")
    browser.click(".jak-search button")
    assert browser.js("document.querySelector('.jak-hits a').textContent") == "Atopic dermatitis"
    browser.click(".jak-hits a")
    assert browser.js("location.pathname") == "/jakdata/indications/atopic-dermatitis"
    browser.screenshot(tmp_path / "indication-atopic-dermatitis.png")
    approvals = browser.js("document.querySelector('table.jak-approvals').innerText")
    assert "RINVOQ" in approvals and "CIBINQO" in approvals and "OPZELURA" in approvals
    assert "JADE MONO-1" in browser.js("document.querySelector('table.jak-trials').innerText")
    assert "None" not in browser.text


def test_ask_the_evidence_question_with_a_brand_and_words(server, browser, tmp_path):
    url, _ = server
    browser.open(url + "/")
    browser.type_into("#evidence_for_a_drug_in_an_indication-drug", "Rinvoq")
    browser.type_into("#evidence_for_a_drug_in_an_indication-indication", "atopic dermatitis")
    browser.click("#question-evidence_for_a_drug_in_an_indication button")
    browser.screenshot(tmp_path / "evidence-rinvoq-atopic-dermatitis.png", max_height=1600)
    rows = browser.js("document.querySelectorAll('table.rows-and-columns tbody tr').length")
    assert rows == 50  # as test_evidence_question_takes_the_indication_by_any_name
    text = browser.text
    assert "Drug “Rinvoq”: upadacitinib" in text and "Indication “atopic dermatitis”: Atopic dermatitis" in text
    assert "Measure Up 1" in text and "EASI-75 response" in text
    cells = browser.js("[...document.querySelectorAll('td.col-indication')].map(td => td.innerText)")
    assert set(cells) == {"Atopic dermatitis"}  # its name, not the id atopic-dermatitis
    trials = set(browser.js("[...document.querySelectorAll('td.col-trial')].map(td => td.innerText)"))
    assert "Measure Up 1" in trials and not trials & set(jakdata.load().studies["study_id"])
    assert "None" not in text
    assert not browser.js("document.querySelector('details.jak-sql').open")  # the SQL folded away


def test_an_unknown_name_is_said_on_the_page(server, browser, tmp_path):
    url, _ = server
    q = urllib.parse.urlencode({"drug": "Rinvok", "indication": "atopic eczema"})
    browser.open(f"{url}/jakdata/evidence_for_a_drug_in_an_indication?{q}")
    browser.screenshot(tmp_path / "unknown-names.png", max_height=900)
    text = browser.text
    assert "No drug is called “Rinvok” in jakdata." in text
    assert "No indication is called “atopic eczema” in jakdata." in text
    assert "0 results" not in text


def test_a_table_opens_with_its_rows_and_names(server, browser, tmp_path):
    url, _ = server
    browser.open(f"{url}/jakdata/outcomes?_labels=on&study_id=ivarmacitinib-ad-phase3")
    browser.screenshot(tmp_path / "outcomes.png", max_height=1400)
    folded = browser.js("document.querySelector('details.column-descriptions-toggle dl.column-descriptions') !== null")
    assert folded and not browser.js("document.querySelector('details.column-descriptions-toggle').open")
    # the first row is within the first screen, not below 1,400 px of descriptions
    assert browser.js("document.querySelector('table.rows-and-columns').getBoundingClientRect().top") < 1000
    assert "Ivarmacitinib for Moderate to Severe Atopic Dermatitis" in browser.text
    assert "None" not in browser.text


def test_the_trials_table_and_the_trials_of_a_drug_render(server, browser, tmp_path):
    url, _ = server
    browser.open(f"{url}/jakdata/studies?design=rct")
    browser.screenshot(tmp_path / "trials.png", max_height=1600)
    text = browser.text
    assert "Measure Up 1" in text and "POETYK PSO-1" in text  # rows rendered, not just a 200
    assert "indication_id" in text and "Atopic dermatitis" in text  # the facet, by name
    browser.open(f"{url}/jakdata/trials_of_a_drug_with_primary_results?drug=" + urllib.parse.quote("乌帕替尼"))
    browser.screenshot(tmp_path / "trials-of-upadacitinib.png", max_height=1600)
    assert "Measure Up 1" in browser.text and "NCT03569293" in browser.text


def test_ctrl_c_stops_the_server_and_removes_its_files():
    import tempfile

    tmp = Path(tempfile.gettempdir())
    before = set(tmp.glob("jakdata-browse-*"))
    port = _free_port()
    proc = _browse(port)
    first = proc.stdout.readline()
    assert first.startswith("serving jakdata") and f"http://127.0.0.1:{port}/" in first
    time.sleep(3)
    import signal

    made = set(tmp.glob("jakdata-browse-*")) - before
    assert len(made) == 1  # the export it serves
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert not any(p.exists() for p in made)
    with pytest.raises(OSError):  # nothing listens any more
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_sigterm_stops_the_server_and_removes_its_files():
    """A service manager or `timeout` sends SIGTERM: nothing may be left running."""
    import signal
    import tempfile

    tmp = Path(tempfile.gettempdir())
    before = set(tmp.glob("jakdata-browse-*"))
    port = _free_port()
    proc = _browse(port)
    assert proc.stdout.readline().startswith("serving jakdata")
    made = set(tmp.glob("jakdata-browse-*")) - before
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not any(p.exists() for p in made)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_port_in_use_is_one_line(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = cli("browse", "--port", str(port))
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in err and err.count("\n") == 1
    assert "serving" not in out
