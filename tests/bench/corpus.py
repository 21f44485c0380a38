"""Realistic-looking governance text for social care documents, fast and deterministic.

Each document has a main topic and a second one; sentences come from templates whose slots are
filled from the general vocabulary of the register (care plan, record, manager...), from the two
topics' own terms, and now and then from a list of specialist terms. So a common query such as
"care plan" matches most of the register, a topic query ("medication error") a few per cent, and
a specialist term ("pica") a few dozen or hundred documents: the selectivity full-text search
meets in a real register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    tag: str
    areas: tuple[str, ...]
    terms: tuple[str, ...]

    def __init__(self, key: str, title: str, tag: str, areas: str, terms: str) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "tag", tag)
        object.__setattr__(self, "areas", _split(areas))
        object.__setattr__(self, "terms", _split(terms))


# (key, title, tag, service areas, terms). Terms are noun phrases used verbatim in sentences.
ALL_TOPICS = (
    Topic(
        "safeguarding_adults",
        "Safeguarding Adults",
        "safeguarding",
        "Adult Social Care; Mental Health; Learning Disabilities",
        "a safeguarding concern; a Section 42 enquiry; the safeguarding adults board; "
        "financial abuse; self-neglect; domestic abuse; modern slavery; "
        "an adult at risk; the making safeguarding personal approach; "
        "the safeguarding referral; an independent advocate; the protection plan; "
        "organisational abuse",
    ),
    Topic(
        "safeguarding_children",
        "Safeguarding Children",
        "safeguarding",
        "Children's Services; Fostering; Residential Care",
        "a child protection conference; a strategy discussion; a Section 47 enquiry; "
        "significant harm; the child protection plan; the core group; "
        "the multi-agency safeguarding hub; child sexual exploitation; "
        "the lead professional; neglect; the designated safeguarding lead; "
        "contextual safeguarding",
    ),
    Topic(
        "medication",
        "Medication",
        "medication",
        "Adult Social Care; Residential Care; Domiciliary Care",
        "the medication administration record; controlled drugs; covert medication; "
        "a medication error; the prescribing clinician; homely remedies; "
        "the community pharmacist; as required medication; the medicines audit; "
        "the storage of medicines; self-administration of medicines",
    ),
    Topic(
        "mental_capacity",
        "Mental Capacity",
        "mental-capacity",
        "Adult Social Care; Mental Health; Learning Disabilities",
        "a capacity assessment; a best interests decision; the Mental Capacity Act 2005; "
        "a deprivation of liberty; the liberty protection safeguards; "
        "a lasting power of attorney; an independent mental capacity advocate; "
        "the Court of Protection; supported decision making; "
        "the relevant person's representative",
    ),
    Topic(
        "fostering",
        "Fostering",
        "fostering",
        "Fostering; Children's Services",
        "the foster carer; the fostering panel; the supervising social worker; "
        "the placement plan; the matching process; the foster care agreement; "
        "connected persons carers; the annual review of foster carers; "
        "the fostering allowance; the Form F assessment; short breaks; "
        "the delegated authority",
    ),
    Topic(
        "adoption",
        "Adoption",
        "adoption",
        "Adoption; Children's Services",
        "the adoption panel; the prospective adopters; the placement order; "
        "the life story book; letterbox contact; early permanence; "
        "the adoption support plan; the agency decision maker; "
        "the child's permanence report",
    ),
    Topic(
        "leaving_care",
        "Leaving Care",
        "care-leavers",
        "Leaving Care; Children's Services",
        "the pathway plan; the personal adviser; a care leaver; "
        "staying put arrangements; the local offer for care leavers; "
        "the setting up home allowance; education, employment or training; "
        "supported lodgings; the corporate parenting board",
    ),
    Topic(
        "residential",
        "Children's Homes",
        "residential",
        "Residential Care; Children's Services",
        "the registered manager; the Regulation 44 visitor; a physical intervention; "
        "a missing episode; the location risk assessment; the statement of purpose; "
        "the young person's placement plan; the key worker; the house meeting; "
        "the daily log",
    ),
    Topic(
        "domiciliary",
        "Home Care",
        "home-care",
        "Domiciliary Care; Adult Social Care",
        "the home care visit; the call monitoring system; lone working; the key safe; "
        "a missed call; the rota; travel time; the reablement service; "
        "the double-handed call; the care worker",
    ),
    Topic(
        "complaints",
        "Complaints",
        "complaints",
        "Corporate; Adult Social Care; Children's Services",
        "the complaint; a stage one response; the stage two investigation; "
        "the Local Government and Social Care Ombudsman; the independent person; "
        "the complaints manager; a compliment; the learning from complaints; "
        "the representation procedure",
    ),
    Topic(
        "data_protection",
        "Information Governance",
        "information-governance",
        "Corporate",
        "a subject access request; the retention schedule; a data breach; "
        "the Caldicott guardian; the data protection officer; information sharing; "
        "the UK GDPR; a data protection impact assessment; the case record; "
        "the privacy notice; confidential information",
    ),
    Topic(
        "health_safety",
        "Health and Safety",
        "health-and-safety",
        "Corporate; Residential Care; Domiciliary Care",
        "the risk assessment; the fire evacuation plan; manual handling; first aid; "
        "a RIDDOR report; the accident book; hazardous substances; "
        "the personal emergency evacuation plan; a near miss; "
        "the health and safety committee",
    ),
    Topic(
        "recruitment",
        "Safer Recruitment",
        "workforce",
        "Corporate",
        "the DBS check; two written references; the interview panel; "
        "the induction programme; the probation period; the right to work check; "
        "the Care Certificate; gaps in employment history; the job description",
    ),
    Topic(
        "supervision",
        "Supervision",
        "workforce",
        "Corporate; Children's Services; Adult Social Care",
        "formal supervision; the supervision agreement; reflective practice; "
        "the caseload; the annual appraisal; continuing professional development; "
        "the practice educator; the supervision record; group supervision",
    ),
    Topic(
        "finance",
        "Charging and Finance",
        "finance",
        "Adult Social Care; Corporate",
        "the financial assessment; direct payments; the personal budget; "
        "a deferred payment agreement; the appointeeship; the charging policy; "
        "the minimum income guarantee; disability related expenditure; "
        "the client account",
    ),
    Topic(
        "assessment",
        "Assessment and Care Planning",
        "assessment",
        "Adult Social Care; Mental Health; Learning Disabilities",
        "the Care Act assessment; the eligibility criteria; a carer's assessment; "
        "the support plan; the annual review; the wellbeing principle; "
        "strengths-based practice; the outcomes agreed with the person; "
        "the hospital discharge",
    ),
    Topic(
        "infection",
        "Infection Prevention",
        "infection-control",
        "Residential Care; Domiciliary Care; Adult Social Care",
        "hand hygiene; personal protective equipment; an outbreak; "
        "the infection control lead; the cleaning schedule; the vaccination programme; "
        "isolation; the clinical waste",
    ),
    Topic(
        "end_of_life",
        "End of Life Care",
        "end-of-life",
        "Adult Social Care; Residential Care",
        "the advance care plan; palliative care; a DNACPR decision; bereavement support; "
        "the preferred place of death; anticipatory medication; "
        "the verification of death",
    ),
    Topic(
        "youth_justice",
        "Youth Justice",
        "youth-justice",
        "Youth Justice; Children's Services",
        "the youth justice service; a referral order; the court report; remand; "
        "the intervention plan; restorative justice; the AssetPlus assessment; "
        "out of court disposal",
    ),
    Topic(
        "transitions",
        "Preparing for Adulthood",
        "transitions",
        "Children's Services; Adult Social Care; Learning Disabilities",
        "the transition plan; the education, health and care plan; "
        "preparing for adulthood; the transition worker; the special educational needs; "
        "the joint transition panel",
    ),
    Topic(
        "pressure_care",
        "Falls and Pressure Care",
        "clinical",
        "Residential Care; Domiciliary Care",
        "falls prevention; a pressure ulcer; the hoist; tissue viability; "
        "nutrition and hydration; the repositioning chart; the moving and handling plan; "
        "the falls risk assessment",
    ),
    Topic(
        "behaviour",
        "Positive Behaviour Support",
        "behaviour",
        "Learning Disabilities; Residential Care; Mental Health",
        "the positive behaviour support plan; restrictive practice; de-escalation; "
        "the behaviour that challenges; the post-incident debrief; "
        "reduction of restrictive practice",
    ),
    Topic(
        "whistleblowing",
        "Whistleblowing",
        "workforce",
        "Corporate",
        "a whistleblowing concern; a protected disclosure; the nominated officer; "
        "the freedom to speak up guardian; the allegation against a member of staff; "
        "the local authority designated officer",
    ),
    Topic(
        "quality",
        "Quality Assurance",
        "quality",
        "Corporate; Adult Social Care; Children's Services",
        "the case file audit; the quality assurance framework; the CQC inspection; "
        "the Ofsted inspection; the improvement plan; the performance report; "
        "the practice standards; the annual audit programme",
    ),
    Topic(
        "equality",
        "Equality and Inclusion",
        "equality",
        "Corporate",
        "a reasonable adjustment; the interpreter; the equality impact assessment; "
        "the protected characteristics; discrimination; accessible information; "
        "the Equality Act 2010",
    ),
)

# Specialist terms: a document mentions one now and then, so each matches few documents.
SPECIALIST = _split(
    "Makaton; Prader-Willi syndrome; hoarding disorder; female genital mutilation; "
    "the Prevent duty; forced marriage; cuckooing; Korsakoff syndrome; pica; "
    "a Channel panel; Huntington's disease; Deaf British Sign Language users; "
    "unaccompanied asylum seeking children; Gypsy, Roma and Traveller families; "
    "a special guardianship order; private fostering; the Prisons service; "
    "elective home education"
)

ROLES = _split(
    "registered manager; team manager; service manager; social worker; care worker; "
    "senior practitioner; head of service; practice supervisor; responsible officer; "
    "duty manager; principal social worker; quality assurance officer"
)

STAFF = _split(
    "all staff; practitioners; managers; care workers; agency staff; social workers; "
    "volunteers; students on placement; staff in commissioned services"
)

VERBS = _split(
    "record; review; discuss; agree; consider; escalate; share; check; explain; monitor; "
    "complete; report; confirm; assess; update; sign off"
)

NOUNS = _split(
    "the care plan; the risk assessment; the case record; the outcome; the decision; "
    "the person's views; the family; the support plan; the manager; the record; "
    "the information; the assessment; the plan; the review; the incident form; "
    "the chronology; the wishes and feelings of the child; the views of the carer"
)

TIMES = _split(
    "within 24 hours; within five working days; at every visit; without delay; "
    "at least once a year; within 28 days; before the end of the shift; "
    "at the next supervision; as soon as practicable; within one working day"
)

LAWS = _split(
    "the Care Act 2014; the Children Act 1989; the Mental Capacity Act 2005; "
    "the Health and Social Care Act 2008; Working Together to Safeguard Children; "
    "the Data Protection Act 2018; the Human Rights Act 1998; "
    "the Mental Health Act 1983; the Children and Social Work Act 2017; "
    "local multi-agency procedures"
)

SYSTEMS = _split(
    "the case management system; the electronic record; the person's file; Mosaic; "
    "LiquidLogic; the incident reporting system"
)

TEMPLATES = (
    "The {role} must {verb} {t} {time}.",
    "Where {t} is identified, the {role} will {verb} {noun} and {verb2} {noun2}.",
    "{Staff} are expected to {verb} {t} in line with {law}.",
    "{T} should be recorded on {system} {time}.",
    "If there is any doubt about {t}, advice should be sought from the {role}.",
    "The {role} is responsible for making sure that {t} is reviewed {time}.",
    "{Staff} should {verb} {noun} with the person and their family and {verb2} {noun2}.",
    "Any concern about {t} must be reported to the {role} {time}.",
    "This section explains how {t} relates to {t2}.",
    "Decisions about {t} must take account of {noun} and be recorded on {system}.",
    "The {role} will {verb} {t} and {t2} at each review of {noun}.",
    "{Staff} must not {verb} {t} without first speaking to the {role}.",
    "When {t} changes, the {role} should {verb} {noun} {time}.",
    "Information about {t} may be shared where this is lawful under {law}.",
)
SECTIONS = _split(
    "Purpose; Scope; Legal framework; Roles and responsibilities; Procedure; Recording; "
    "Monitoring and review; Training; Related documents"
)

# Mostly no qualifier: the empty entries weigh the choice.
QUALIFIERS = (
    "",
    "",
    "",
    *_split(
        "in Residential Settings; for Children in Care; in the Community; "
        "for Adults with Care and Support Needs; for Foster Carers; (Interim); for Managers; "
        "and Escalation; during Out of Hours"
    ),
)
TAGS_EXTRA = _split(
    "cqc; ofsted; care-act; children-act; statutory; practice; staff-guidance; "
    "multi-agency; out-of-hours; urgent; legal; regional; pan-london; tri-x; covid-19; "
    "winter; commissioning; partnership; training; easy-read"
)

Sections = list[tuple[str, list[str]]]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Writer:
    """Writes the text of one document and the changed text of its later versions."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self, main: Topic, other: Topic) -> str:
        rng = self.rng
        pick = rng.choice
        terms = main.terms if rng.random() < 0.75 else other.terms
        t, t2 = pick(terms), pick(main.terms)
        if rng.random() < 0.003:
            # Skewed: the first specialist terms are met far more often than the last ones.
            t = SPECIALIST[int(len(SPECIALIST) * rng.random() ** 3)]
        staff = pick(STAFF)
        return pick(TEMPLATES).format(
            role=pick(ROLES),
            verb=pick(VERBS),
            verb2=pick(VERBS),
            t=t,
            T=_cap(t),
            t2=t2,
            noun=pick(NOUNS),
            noun2=pick(NOUNS),
            time=pick(TIMES),
            law=pick(LAWS),
            system=pick(SYSTEMS),
            staff=staff,
            Staff=_cap(staff),
        )

    def sections(self, main: Topic, other: Topic, words: int) -> Sections:
        """Paragraphs (lists of sentences) under the standard headings, about ``words`` long."""
        rng = self.rng
        names = [s for s in SECTIONS if rng.random() < 0.85] or ["Procedure"]
        per_section = max(1, round(words / 20 / len(names)))
        return [
            (
                name,
                [
                    self.sentence(main, other)
                    for _ in range(max(1, per_section + rng.randint(-1, 2)))
                ],
            )
            for name in names
        ]

    def revise(self, sections: Sections, main: Topic, other: Topic) -> Sections:
        """A later version: about one sentence in five rewritten, sometimes one added."""
        rng = self.rng
        revised: Sections = []
        for name, paragraph in sections:
            new = [
                self.sentence(main, other) if rng.random() < 0.2 else sentence
                for sentence in paragraph
            ]
            if rng.random() < 0.3:
                new.append(self.sentence(main, other))
            revised.append((name, new))
        return revised


def render(title: str, reference: str, sections: Sections) -> str:
    """The markdown file of a version; with single blank lines it is also its extracted text."""
    parts = [f"# {title}", f"Reference: {reference}"]
    for number, (name, paragraph) in enumerate(sections, start=1):
        parts.append(f"## {number}. {name}")
        parts.append(" ".join(paragraph))
    return "\n\n".join(parts)
