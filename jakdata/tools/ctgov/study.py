"""Rows of the source, the study and its indication."""

from __future__ import annotations

from jakdata.tools.ctgov.base import BuilderBase
from jakdata.tools.ctgov.record import API, INTEGER, slug

PHASES = {
    frozenset({"PHASE1"}): "1",
    frozenset({"PHASE1", "PHASE2"}): "1/2",
    frozenset({"PHASE2"}): "2",
    frozenset({"PHASE2", "PHASE3"}): "2/3",
    frozenset({"PHASE3"}): "3",
    frozenset({"PHASE4"}): "4",
}
MASKING = {"NONE": "none", "SINGLE": "single", "DOUBLE": "double", "TRIPLE": "triple", "QUADRUPLE": "quadruple"}
ALLOCATION = {"RANDOMIZED": "randomised", "NON_RANDOMIZED": "non-randomised"}

#: ClinicalTrials.gov location country names -> ISO 3166-1 alpha-2
COUNTRIES = {
    "Argentina": "AR",
    "Australia": "AU",
    "Austria": "AT",
    "Bangladesh": "BD",
    "Belarus": "BY",
    "Belgium": "BE",
    "Bosnia and Herzegovina": "BA",
    "Brazil": "BR",
    "Bulgaria": "BG",
    "Canada": "CA",
    "Chile": "CL",
    "China": "CN",
    "Colombia": "CO",
    "Costa Rica": "CR",
    "Croatia": "HR",
    "Cyprus": "CY",
    "Czechia": "CZ",
    "Czech Republic": "CZ",
    "Denmark": "DK",
    "Dominican Republic": "DO",
    "Ecuador": "EC",
    "Egypt": "EG",
    "Estonia": "EE",
    "Finland": "FI",
    "France": "FR",
    "Georgia": "GE",
    "Germany": "DE",
    "Greece": "GR",
    "Guatemala": "GT",
    "Hong Kong": "HK",
    "Hungary": "HU",
    "Iceland": "IS",
    "India": "IN",
    "Indonesia": "ID",
    "Iran, Islamic Republic of": "IR",
    "Ireland": "IE",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Jordan": "JO",
    "Kazakhstan": "KZ",
    "Korea, Republic of": "KR",
    "South Korea": "KR",
    "Kuwait": "KW",
    "Latvia": "LV",
    "Lebanon": "LB",
    "Lithuania": "LT",
    "Luxembourg": "LU",
    "Malaysia": "MY",
    "Malta": "MT",
    "Mexico": "MX",
    "Moldova, Republic of": "MD",
    "Morocco": "MA",
    "Netherlands": "NL",
    "New Zealand": "NZ",
    "North Macedonia": "MK",
    "Norway": "NO",
    "Pakistan": "PK",
    "Panama": "PA",
    "Peru": "PE",
    "Philippines": "PH",
    "Poland": "PL",
    "Portugal": "PT",
    "Puerto Rico": "PR",
    "Qatar": "QA",
    "Romania": "RO",
    "Russian Federation": "RU",
    "Russia": "RU",
    "Saudi Arabia": "SA",
    "Serbia": "RS",
    "Singapore": "SG",
    "Slovakia": "SK",
    "Slovenia": "SI",
    "South Africa": "ZA",
    "Spain": "ES",
    "Sri Lanka": "LK",
    "Sweden": "SE",
    "Switzerland": "CH",
    "Taiwan": "TW",
    "Thailand": "TH",
    "Tunisia": "TN",
    "Turkey": "TR",
    "Türkiye": "TR",
    "Ukraine": "UA",
    "United Arab Emirates": "AE",
    "United Kingdom": "GB",
    "United States": "US",
    "Uruguay": "UY",
    "Venezuela": "VE",
    "Vietnam": "VN",
}


class StudyRows(BuilderBase):
    def source(self) -> None:
        brief = self.d.text(self.ident, "briefTitle", "protocolSection.identificationModule")
        official = self.d.text(self.ident, "officialTitle", "protocolSection.identificationModule")
        sponsor = self.d.text(
            self.d.at("protocolSection", "sponsorCollaboratorsModule", "leadSponsor"),
            "name",
            "protocolSection.sponsorCollaboratorsModule.leadSponsor",
        )
        first = self.d.text(
            self.d.obj(self.status, "resultsFirstPostDateStruct", "protocolSection.statusModule"), "date", ""
        )
        note = (
            f"ClinicalTrials.gov API v2 study record of {self.nct}, imported by `jakdata import ctgov`: a draft "
            f"until a curator has read it. Last update posted {self.version}"
            + (f"; results first posted {first}" if first else "")
            + (f"; lead sponsor {sponsor}" if sponsor else "")
            + (f"; official title: {official}" if official and official != brief else "")
            + ". Locators of the rows drawn from it are JSON paths into this record."
        )
        self.add(
            "sources",
            {
                "source_id": self.source_id,
                "document_type": "registry-record",
                "title": brief or official or self.nct,
                "year": self.version[:4],
                "url": f"{API}{self.nct}",
                "language": "en",
                "published_date": self.version if len(self.version) == 10 else "",
                "peer_reviewed": "false",
                "note": note,
                "review_status": "draft",
            },
        )
        self.s.source_id = self.source_id

    def existing_study(self) -> tuple[dict[str, str] | None, str]:
        """The trial's study already in the package: the one with the same
        registry_id, else the one that shares an EudraCT or CTIS number with
        the record (a study curated before its NCT was known). Sponsors'
        protocol numbers are not unique enough to decide it."""
        studies = self.plan.all_rows("studies")
        same = [r for r in studies if r.get("registry_id") == self.nct]
        if same:
            return same[0], "same registry_id"
        ours = {x for x in self.secondary_ids().split("|") if x.startswith(("EudraCT:", "CTIS:"))}
        if not ours:
            return None, ""
        sharing = [r for r in studies if ours & set(r.get("secondary_ids", "").split("|"))]
        if len(sharing) == 1:
            shared = sorted(ours & set(sharing[0]["secondary_ids"].split("|")))
            note = f"shares {', '.join(shared)}"
            if not sharing[0].get("registry_id"):
                note += f"; its registry_id is empty, a curator may add {self.nct}"
            return sharing[0], note
        if sharing:
            ids = ", ".join(r["study_id"] for r in sharing)
            return {}, f"studies {ids} share the record's trial identifiers"
        return None, ""

    def study(self) -> bool:
        existing, why = self.existing_study()
        if existing == {}:
            self.s.status, self.s.reason = "skipped", f"which study it is, is unclear: {why}"
            return False
        if existing:
            self.study_id = existing["study_id"]
            self.indication_id = existing.get("indication_id", "")
            self.s.mapped.append(f"{self.nct} -> existing study {self.study_id} ({why})")
            self.observational = self.design.get("studyType") == "OBSERVATIONAL"
            return True
        path = "protocolSection.designModule"
        info = self.d.obj(self.design, "designInfo", path)
        study_type = self.d.text(self.design, "studyType", path)
        allocation = self.d.text(info, "allocation", f"{path}.designInfo")
        design = ""
        if study_type == "INTERVENTIONAL":
            design = "rct" if allocation == "RANDOMIZED" else "non-randomised-trial"
        elif study_type == "OBSERVATIONAL":
            self.observational = True
            model = self.d.text(info, "observationalModel", f"{path}.designInfo")
            design = {"COHORT": "cohort", "CASE_ONLY": "case-series"}.get(model, "")
            if not design:
                self.s.status, self.s.reason = (
                    "skipped",
                    (f"the observational model {model or '(none)'} has no equivalent among the study designs"),
                )
                return False
        else:
            self.s.status, self.s.reason = (
                "skipped",
                (f"study type {study_type or '(none)'} has no equivalent among the study designs"),
            )
            return False
        if not self.indication():
            return False
        phases = frozenset(self.d.texts(self.design, "phases", path))
        phase = PHASES.get(phases, "")
        masking = self.d.text(self.d.obj(info, "maskingInfo", f"{path}.designInfo"), "masking", "")
        enrol = self.d.obj(self.design, "enrollmentInfo", path)
        count = self.d.text(enrol, "count", f"{path}.enrollmentInfo")
        countries, unknown = self.countries()
        secondary = self.secondary_ids()
        notes = [f"Draft from the registry record (last update posted {self.version})."]
        notes.append(
            "Design as registered: "
            + ", ".join(
                x
                for x in (
                    study_type,
                    self.d.text(info, "interventionModel", "") or self.d.text(info, "observationalModel", ""),
                    allocation,
                    self.d.text(info, "primaryPurpose", ""),
                )
                if x
            )
            + "."
        )
        if phases and not phase:
            notes.append(f"Phase as registered: {'/'.join(sorted(phases))} (no equivalent in the phase column).")
        if count:
            notes.append(f"Enrolment {count} ({self.d.text(enrol, 'type', '') or 'type not stated'}).")
        conditions = self.d.texts(self.d.at("protocolSection", "conditionsModule"), "conditions", "")
        if len(conditions) > 1:
            notes.append(f"Conditions as registered: {'; '.join(conditions)}.")
        if unknown:
            notes.append(f"Countries as registered: {'; '.join(unknown)} (country left empty: not all are known).")
        if design == "rct":
            notes.append("Evidence level 2 (CEBM 2011, a randomised trial) from the design, as for curated trials.")
        self.study_id = self.plan.unique_id("studies", self.nct.lower())
        self.add(
            "studies",
            {
                "study_id": self.study_id,
                "source_id": self.source_id,
                "design": design,
                "species": "human",
                "n_participants": count if INTEGER.match(count) else "",
                "indication_id": self.indication_id,
                "population": self.population(conditions),
                "country": "" if unknown else countries,
                "registry_id": self.nct,
                "evidence_level": "2" if design == "rct" else "",
                "reported_in": self.source_id,
                "locator": "protocolSection.identificationModule; protocolSection.designModule; "
                "protocolSection.conditionsModule",
                "note": " ".join(notes),
                "acronym": self.d.text(self.ident, "acronym", ""),
                "phase": phase,
                "allocation": ALLOCATION.get(allocation, ""),
                "masking": MASKING.get(masking, ""),
                "secondary_ids": secondary,
            },
        )
        return True

    def population(self, conditions: list[str]) -> str:
        elig = self.d.at("protocolSection", "eligibilityModule")
        low = self.d.text(elig, "minimumAge", "protocolSection.eligibilityModule")
        high = self.d.text(elig, "maximumAge", "protocolSection.eligibilityModule")
        sex = self.d.text(elig, "sex", "protocolSection.eligibilityModule")
        parts = [f"Participants with {', '.join(conditions)}"] if conditions else ["Participants"]
        if low and high:
            parts.append(f"aged {low} to {high}")
        elif low:
            parts.append(f"aged {low} or older")
        elif high:
            parts.append(f"aged up to {high}")
        if sex in ("FEMALE", "MALE"):
            parts.append(f"{sex.lower()} only")
        return ", ".join(parts) + " (eligibility as registered)"

    def countries(self) -> tuple[str, list[str]]:
        path = "protocolSection.contactsLocationsModule"
        names = sorted(
            {
                self.d.text(loc, "country", p)
                for p, loc in self.d.items(self.d.at("protocolSection", "contactsLocationsModule"), "locations", path)
            }
            - {""}
        )
        codes = sorted({COUNTRIES[n] for n in names if n in COUNTRIES})
        unknown = [n for n in names if n not in COUNTRIES]
        return "|".join(codes), (names if unknown else [])

    def secondary_ids(self) -> str:
        path = "protocolSection.identificationModule"
        out: list[str] = []
        for p, info in self.d.items(self.ident, "secondaryIdInfos", path):
            ident, kind = self.d.text(info, "id", p), self.d.text(info, "type", p)
            if kind == "EUDRACT_NUMBER" and ident:
                out.append(f"EudraCT:{ident}")
            elif kind == "CTIS" and ident:
                out.append(f"CTIS:{ident}")
        org = self.d.text(self.d.obj(self.ident, "orgStudyIdInfo", path), "id", "")
        if org:
            out.append(f"Protocol:{org}")
        good = [x for x in dict.fromkeys(out) if "|" not in x]
        return "|".join(good)

    def indication(self) -> bool:
        conditions = self.d.texts(self.d.at("protocolSection", "conditionsModule"), "conditions", "")
        if not conditions:
            self.s.status, self.s.reason = "skipped", "the record names no condition (a study needs an indication)"
            return False
        for cond in conditions:
            ids, where = self.vocab.lookup("indication", cond, self.plan)
            if len(ids) == 1:
                self.indication_id = ids[0]
                self.s.mapped.append(f"condition {cond!r} -> indication {ids[0]} (matched in {where})")
                return True
            if len(ids) > 1:
                self.s.mapped.append(f"condition {cond!r} matches several indications ({', '.join(ids)}): not used")
        meshes = self.d.items(self.d.at("derivedSection", "conditionBrowseModule"), "meshes", "")
        cond = conditions[0]
        ident = self.plan.unique_id("indications", slug(cond))
        skin = any(
            self.d.text(a, "id", p) == "D000012871" or self.d.text(a, "term", p) == "Skin Diseases"
            for p, a in self.d.items(self.d.at("derivedSection", "conditionBrowseModule"), "ancestors", "") + meshes
        )
        row = self.add(
            "indications",
            {
                "indication_id": ident,
                "name": cond,
                "dermatologic": "true" if skin else "false",
                "note": f"Added by `jakdata import ctgov` from the condition of {self.nct} as registered; "
                f"dermatologic = {'true' if skin else 'false'} from whether the record's MeSH condition tree "
                "includes Skin Diseases. Parent and identifiers await a curator.",
            },
        )
        if row is None:
            self.s.status, self.s.reason = "skipped", f"the condition {cond!r} cannot be an indication name"
            return False
        self.plan.register("indication", ident, [cond, ident])
        self.indication_id = ident
        self.s.vocabulary.append(f"indication {ident} ({cond!r}; dermatologic {row.values['dermatologic']})")
        return True

    # -- arms
