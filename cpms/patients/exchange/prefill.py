"""What a file brings to a case, as read by phenopacket.py or fhir.py, before it is matched with the
loaded terminologies (importing.py). Plain data, so that it can wait in the session for the confirmation."""

from dataclasses import asdict, dataclass, field


@dataclass
class Prefill:
    format: str  # "phenopacket" or "fhir"
    diagnoses: list[dict] = field(default_factory=list)  # system, code, label, certainty, is_main
    phenotypes: list[dict] = field(default_factory=list)  # code, label, excluded, onset
    variants: list[dict] = field(default_factory=list)  # gene_symbol, hgvs, zygosity, acmg_class
    onset: str = ""
    # Codes of terminologies CPMS does not code cases in (OMIM:…, MONDO:…), as "prefix:code label".
    foreign_codes: list[str] = field(default_factory=list)
    # What the file holds that CPMS does not keep, as paths ("subject.dateOfBirth", "measurements (3)").
    not_kept: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Prefill":
        return cls(**data)
