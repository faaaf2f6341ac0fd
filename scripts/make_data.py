"""Seeded generator of the two bundled example events, built from the Academy programmes.

Run `python -m scripts.make_data` to rewrite `data/academy-2022.xlsx` and
`data/academy-2023.xlsx`. The programme (days, sessions, rooms) is data at the
top of this module; the people are synthetic, drawn from `random.Random(seed)`
only, so the same seed always gives the same event. E-mail domains end in the
reserved `.example`.
"""

import math
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from models.event import (
    Event,
    Option,
    Participant,
    Preference,
    Rule,
    RuleKind,
    Session,
    SessionKind,
    Settings,
    Strength,
)
from models.issues import errors
from models.validation import validate_event
from models.workbook import write_event

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

LOCAL = "local authority"
INTERNATIONAL = "international organisation"
CIVIL = "civil society"
ACADEMIA = "academia"
NEXT_GEN = "next generation"
FACILITATOR = "facilitator"  # a pool of hosts (the organisers' staff), not a stakeholder group
STEP_FREE = "step-free"

# Roles some people get so that hosts and rules can find them; everyone else has none.
DELEGATE = "delegate"
INTERPRETER = "interpreter"
DELEGATION = "delegation"
RAPPORTEUR = "rapporteur"
SUPERVISOR = "supervisor"
INTERN = "intern"

# Numbers and shares that shape the events.
FACILITATORS = 4
STEP_FREE_NEEDS = 4
LATE_BEFORE_START = 3
LATE_DURING_EVENT = 2
PARTIAL_ATTENDANCE = 0.15
ROMANISED_NAME = 0.25
VETO_SHARE = 0.03
SPLIT_SLACK = 3
TABLE_SLACK = 2
CHOICE_SLACK = 2
FIRST_CHOICE_SHARE = 0.8
ORDINARY_GROUPS = ((LOCAL, 38), (INTERNATIONAL, 17), (CIVIL, 25), (ACADEMIA, 20))
NEXT_GEN_EMPLOYERS = (("university", 6), ("ngo", 3), ("city", 1))
EMPLOYERS = {LOCAL: "city", INTERNATIONAL: "international", CIVIL: "ngo", ACADEMIA: "university"}


class NamePool(NamedTuple):
    """Given and family names of one language, space-separated; non-Latin as `native=romanised`."""

    script: str
    given: str
    family: str
    family_first: bool = False


NAME_POOLS = {
    "german": NamePool(
        "Latin",
        "Anna Lukas Sophie Jürgen Katharina Matthias Lena Stefan Bärbel",
        "Huber Gruber Müller Schröder Steiner Weiß Hofer Köhler Brunner",
    ),
    "french": NamePool(
        "Latin",
        "Élodie François Camille Hélène Julien Mathilde Benoît Océane",
        "Lefèvre Dubois Moreau Girard Fontaine Bérard Rousseau Lemaître",
    ),
    "spanish": NamePool(
        "Latin",
        "María José Lucía Andrés Sofía Iñaki Valentina Sebastián Ximena",
        "García Martínez López Hernández Muñoz Pérez Ramírez Castaño",
    ),
    "portuguese": NamePool(
        "Latin",
        "João Ana Luíza Gonçalo Beatriz Thiago Conceição Rafael",
        "Silva Gonçalves Araújo Ribeiro Magalhães Simões Carvalho",
    ),
    "polish": NamePool(
        "Latin",
        "Agnieszka Paweł Małgorzata Łukasz Katarzyna Michał Zofia Wojciech",
        "Nowak Wójcik Kowalczyk Mazur Krawczyk Zając Woźniak Król",
    ),
    "swedish": NamePool(
        "Latin",
        "Åsa Björn Ingrid Mårten Linnéa Sören Karin Göran",
        "Lindqvist Åberg Sjöberg Nyström Holmén Ekström Bergqvist",
    ),
    "turkish": NamePool(
        "Latin",
        "Ayşe Mehmet Şule Çağrı Gülşen Oğuz İrem Barış",
        "Yılmaz Öztürk Şahin Çelik Aydın Doğan Kılıç Güneş",
    ),
    "english": NamePool(
        "Latin",
        "Emily James Olivia Michael Hannah Daniel Grace Samuel Chloe",
        "Smith Johnson O'Connor Williams Brown Taylor Anderson Clarke",
    ),
    "indonesian": NamePool(
        "Latin",
        "Siti Budi Dewi Agus Putri Rizky Ayu Hendra",
        "Rahayu Santoso Wulandari Hidayat Kusuma Saputra Nugroho",
    ),
    "indian": NamePool(
        "Latin",
        "Priya Arjun Ananya Rahul Kavita Vikram Meera Suresh",
        "Sharma Patel Iyer Reddy Nair Gupta Mohanty Das",
    ),
    "kenyan": NamePool(
        "Latin",
        "Wanjiru Otieno Akinyi Kiprono Njeri Mwangi Achieng Baraka",
        "Kamau Odhiambo Wanjiku Kiptoo Mutua Omondi Njoroge Chebet",
    ),
    "ghanaian": NamePool(
        "Latin",
        "Kwame Ama Kofi Akosua Yaw Efua Kwabena Abena",
        "Mensah Owusu Boateng Asante Appiah Osei Agyeman Darko",
    ),
    "south_african": NamePool(
        "Latin",
        "Thandiwe Sipho Nomvula Thabo Lerato Bongani Zanele Pieter",
        "Nkosi Dlamini Mokoena Khumalo Ndlovu Botha Mthembu",
    ),
    "senegalese": NamePool(
        "Latin",
        "Aminata Moussa Fatou Ousmane Awa Cheikh Mariama Ibrahima",
        "Diallo Ndiaye Sow Diop Fall Sarr Ba Mbaye",
    ),
    "georgian": NamePool(
        "Georgian",
        "ნინო=Nino გიორგი=Giorgi თამარ=Tamar ლევან=Levan ანა=Ana დავით=Davit მარიამ=Mariam",
        "ბერიძე=Beridze კაპანაძე=Kapanadze გელაშვილი=Gelashvili ლომიძე=Lomidze "
        "ხარაიშვილი=Kharaishvili ჯაფარიძე=Japaridze",
    ),
    "korean": NamePool(
        "Hangul",
        "민준=Minjun 서연=Seoyeon 지훈=Jihoon 하은=Haeun 수빈=Subin 도윤=Doyun 지민=Jimin",
        "김=Kim 이=Lee 박=Park 최=Choi 정=Jung 강=Kang 윤=Yoon",
        family_first=True,
    ),
    "japanese": NamePool(
        "Han/Kana",
        "陽菜=Hina 結衣=Yui 大翔=Hiroto 蓮=Ren 美咲=Misaki 健太=Kenta さくら=Sakura",
        "佐藤=Sato 鈴木=Suzuki 高橋=Takahashi 田中=Tanaka 渡辺=Watanabe 伊藤=Ito",
        family_first=True,
    ),
    "ukrainian": NamePool(
        "Cyrillic",
        "Олена=Olena Андрій=Andrii Ірина=Iryna Тарас=Taras Оксана=Oksana Дмитро=Dmytro "
        "Наталія=Nataliia Богдан=Bohdan",
        "Коваленко=Kovalenko Шевченко=Shevchenko Бондаренко=Bondarenko Ткаченко=Tkachenko "
        "Мельник=Melnyk Кравчук=Kravchuk",
    ),
    "greek": NamePool(
        "Greek",
        "Ελένη=Eleni Γιώργος=Giorgos Μαρία=Maria Νίκος=Nikos Κατερίνα=Katerina "
        "Δημήτρης=Dimitris Σοφία=Sofia Κώστας=Kostas",
        # Genitive surnames, the same for women and men.
        "Γεωργίου=Georgiou Νικολάου=Nikolaou Οικονόμου=Oikonomou Αντωνίου=Antoniou "
        "Δημητρίου=Dimitriou Παπαδημητρίου=Papadimitriou",
    ),
    "arabic": NamePool(
        "Arabic",
        "ليلى=Layla أحمد=Ahmed فاطمة=Fatima يوسف=Youssef نور=Nour كريم=Karim سلمى=Salma عمر=Omar",
        "حداد=Haddad العلي=Al-Ali منصور=Mansour خوري=Khoury بنعلي=Benali التازي=Tazi "
        "الزعبي=Al-Zoubi",
    ),
}


class Country(NamedTuple):
    """A country, its region and the names people there usually have."""

    name: str
    region: str
    names: str


COUNTRIES = (
    Country("Austria", "Europe", "german"),
    Country("Germany", "Europe", "german"),
    Country("France", "Europe", "french"),
    Country("Spain", "Europe", "spanish"),
    Country("Portugal", "Europe", "portuguese"),
    Country("Poland", "Europe", "polish"),
    Country("Sweden", "Europe", "swedish"),
    Country("Greece", "Europe", "greek"),
    Country("Georgia", "Europe", "georgian"),
    Country("Ukraine", "Europe", "ukrainian"),
    Country("Türkiye", "Europe", "turkish"),
    Country("South Korea", "Asia-Pacific", "korean"),
    Country("Japan", "Asia-Pacific", "japanese"),
    Country("Indonesia", "Asia-Pacific", "indonesian"),
    Country("India", "Asia-Pacific", "indian"),
    Country("Kenya", "Africa", "kenyan"),
    Country("Ghana", "Africa", "ghanaian"),
    Country("South Africa", "Africa", "south_african"),
    Country("Senegal", "Africa", "senegalese"),
    Country("Morocco", "Africa", "arabic"),
    Country("Jordan", "Middle East", "arabic"),
    Country("Lebanon", "Middle East", "arabic"),
    Country("Mexico", "Latin America", "spanish"),
    Country("Colombia", "Latin America", "spanish"),
    Country("Argentina", "Latin America", "spanish"),
    Country("Brazil", "Latin America", "portuguese"),
    Country("United States", "North America", "english"),
    Country("Canada", "North America", "french"),
)


class Organisation(NamedTuple):
    """Where people work; `country` is empty for international organisations."""

    name: str
    kind: str
    country: str
    domain: str


ORGANISATIONS = (
    # The organisers' own staff facilitate workshops and write the report.
    Organisation("UNESCO Centre Graz (ETC)", "organiser", "Austria", "etc-graz.example"),
    Organisation("University of Graz, UNESCO Chair", "organiser", "Austria", "unigraz.example"),
    # Cities and regions.
    Organisation("City of Graz", "city", "Austria", "graz.example"),
    Organisation("City of Vienna", "city", "Austria", "wien.example"),
    Organisation("City of Nuremberg", "city", "Germany", "nuernberg.example"),
    Organisation("Ville de Strasbourg", "city", "France", "strasbourg.example"),
    Organisation("Barcelona City Council", "city", "Spain", "bcn.example"),
    Organisation("Câmara Municipal de Lisboa", "city", "Portugal", "lisboa.example"),
    Organisation("Gdańsk City Hall", "city", "Poland", "gdansk.example"),
    Organisation("City of Lund", "city", "Sweden", "lund.example"),
    Organisation("Municipality of Thessaloniki", "city", "Greece", "thessaloniki.example"),
    Organisation("Kutaisi City Hall", "city", "Georgia", "kutaisi.example"),
    Organisation("Rustavi Municipality", "city", "Georgia", "rustavi.example"),
    Organisation("Lviv City Council", "city", "Ukraine", "lviv.example"),
    Organisation("İzmir Metropolitan Municipality", "city", "Türkiye", "izmir.example"),
    Organisation("Gwangju Metropolitan City", "city", "South Korea", "gwangju.example"),
    Organisation("Seoul Metropolitan Government", "city", "South Korea", "seoul.example"),
    Organisation("City of Kawasaki", "city", "Japan", "kawasaki.example"),
    Organisation("Wonosobo Regency", "city", "Indonesia", "wonosobo.example"),
    Organisation("Bhubaneswar Municipal Corporation", "city", "India", "bmc.example"),
    Organisation("Nairobi City County", "city", "Kenya", "nairobi.example"),
    Organisation("Accra Metropolitan Assembly", "city", "Ghana", "accra.example"),
    Organisation("City of Johannesburg", "city", "South Africa", "joburg.example"),
    Organisation("Ville de Dakar", "city", "Senegal", "dakar.example"),
    Organisation("Commune de Rabat", "city", "Morocco", "rabat.example"),
    Organisation("Greater Amman Municipality", "city", "Jordan", "amman.example"),
    Organisation("Municipality of Beirut", "city", "Lebanon", "beirut.example"),
    Organisation("Mexico City Government", "city", "Mexico", "cdmx.example"),
    Organisation("Alcaldía de Medellín", "city", "Colombia", "medellin.example"),
    Organisation("Municipalidad de Rosario", "city", "Argentina", "rosario.example"),
    Organisation("Prefeitura de Porto Alegre", "city", "Brazil", "poa.example"),
    Organisation("City of Eugene", "city", "United States", "eugene.example"),
    Organisation("Ville de Montréal", "city", "Canada", "montreal.example"),
    # International organisations.
    Organisation("UN-Habitat", "international", "", "unhabitat.example"),
    Organisation("OHCHR", "international", "", "ohchr.example"),
    Organisation("EU Agency for Fundamental Rights", "international", "", "fra.example"),
    Organisation("UNESCO", "international", "", "unesco.example"),
    Organisation("Congress of Local and Regional Authorities", "international", "", "coe.example"),
    Organisation("United Cities and Local Governments", "international", "", "uclg.example"),
    Organisation("UNDP", "international", "", "undp.example"),
    # Civil society.
    Organisation("Menschenrechtsbeirat Steiermark", "ngo", "Austria", "mrb-stmk.example"),
    Organisation("Observatori Drets Urbans", "ngo", "Spain", "odu.example"),
    Organisation("Athens Refugee Support Network", "ngo", "Greece", "arsn.example"),
    Organisation("Tbilisi Civic Initiative", "ngo", "Georgia", "tci.example"),
    Organisation("Kyiv Human Rights Platform", "ngo", "Ukraine", "khrp.example"),
    Organisation("Gwangju Citizens' Rights Network", "ngo", "South Korea", "gcrn.example"),
    Organisation("Jakarta Legal Aid Collective", "ngo", "Indonesia", "jlac.example"),
    Organisation("Nairobi Urban Rights Forum", "ngo", "Kenya", "nurf.example"),
    Organisation("Johannesburg Housing Rights Project", "ngo", "South Africa", "jhrp.example"),
    Organisation("Collectif Dakar Solidaire", "ngo", "Senegal", "cds.example"),
    Organisation("Amman Community Rights Centre", "ngo", "Jordan", "acrc.example"),
    Organisation("Observatorio Ciudadano CDMX", "ngo", "Mexico", "ocdmx.example"),
    Organisation("Fundación Derechos Urbanos", "ngo", "Colombia", "fdu.example"),
    Organisation("Instituto Cidade Justa", "ngo", "Brazil", "icj.example"),
    Organisation("Eugene Human Rights Alliance", "ngo", "United States", "ehra.example"),
    # Universities.
    Organisation("University of Vienna", "university", "Austria", "univie.example"),
    Organisation("Sciences Po Lyon", "university", "France", "scpo-lyon.example"),
    Organisation("Jagiellonian University", "university", "Poland", "uj.example"),
    Organisation("Lund University", "university", "Sweden", "lu.example"),
    Organisation("Aristotle University of Thessaloniki", "university", "Greece", "auth.example"),
    Organisation("Tbilisi State University", "university", "Georgia", "tsu.example"),
    Organisation("Chonnam National University", "university", "South Korea", "jnu.example"),
    Organisation("Universitas Gadjah Mada", "university", "Indonesia", "ugm.example"),
    Organisation("University of Nairobi", "university", "Kenya", "uonbi.example"),
    Organisation("University of Pretoria", "university", "South Africa", "up.example"),
    Organisation("Université Cheikh Anta Diop", "university", "Senegal", "ucad.example"),
    Organisation("American University of Beirut", "university", "Lebanon", "aub.example"),
    Organisation("Universidad Nacional de Colombia", "university", "Colombia", "unal.example"),
    Organisation("Universidade de São Paulo", "university", "Brazil", "usp.example"),
    Organisation("University of Ottawa", "university", "Canada", "uottawa.example"),
)

# Rooms that people who need step-free access can reach; tables are "<room>, table <n>".
STEP_FREE_ROOMS = ("Aula", "Seminar room 2", "Breakout room A", "Seminar room 3", "Hall")


class OptionPlan(NamedTuple):
    """A room, workshop or table as the programme gives it, before capacities are known."""

    id: str
    title: str
    room: str
    hosts: int = 0
    host_group: str = ""
    popularity: float = 1.0


class SessionPlan(NamedTuple):
    """One slot of the programme in which the audience is divided."""

    id: str
    day: str
    start: str
    end: str
    title: str
    kind: SessionKind
    options: tuple[OptionPlan, ...]
    rounds: int = 1
    audience: tuple[str, ...] = ()


class YearPlan(NamedTuple):
    """One year's programme, registration period and the people its rules are about."""

    year: int
    size: int
    next_generation: int
    networking_day: str  # the next-generation day; others come only to host
    registration_opens: datetime
    registration_closes: datetime
    delegation: str  # the city whose delegate brings an interpreter
    colleagues: str  # the city whose two delegates are asked to split up
    rapporteur_option: tuple[str, str]
    sessions: tuple[SessionPlan, ...]


def split_groups(session: str, rooms: tuple[str, str], hosted: int = 2) -> tuple[OptionPlan, ...]:
    """Two parallel groups covering the same content; the first `hosted` have a facilitator."""
    return tuple(
        OptionPlan(f"{session}-{letter}", f"Group {letter}", room, int(index < hosted), FACILITATOR)
        for index, (letter, room) in enumerate(zip("AB", rooms, strict=True))
    )


def workshops(rows: tuple[tuple[str, str, str, float], ...]) -> tuple[OptionPlan, ...]:
    """Themed workshops `(id, title, room, popularity)`, each led by a facilitator."""
    return tuple(
        OptionPlan(option_id, title, room, 1, FACILITATOR, popularity)
        for option_id, title, room, popularity in rows
    )


def tables(
    rows: tuple[tuple[str, int, str, float], ...], rooms: tuple[tuple[str, int], ...]
) -> tuple[OptionPlan, ...]:
    """Tables `(topic, hosts, hosts' group, popularity)` numbered T1… across `(room, count)`."""
    places = [(room, count) for room, count in rooms for _ in range(count)]
    return tuple(
        OptionPlan(
            f"T{number}",
            topic,
            f"{room}, table {number}" if count > 1 else room,
            hosts,
            group,
            popularity,
        )
        for number, ((room, count), (topic, hosts, group, popularity)) in enumerate(
            zip(places, rows, strict=True), start=1
        )
    )


ACADEMY_2022 = YearPlan(
    year=2022,
    size=140,
    next_generation=34,
    networking_day="2022-02-04",
    registration_opens=datetime(2021, 11, 9, 9, 0),
    registration_closes=datetime(2022, 1, 25, 18, 0),
    delegation="Gwangju Metropolitan City",
    colleagues="Nairobi City County",
    rapporteur_option=("OUTCOME", "W10"),
    sessions=(
        SessionPlan(
            id="WS1",
            day="2022-02-01",
            start="13:30",
            end="14:30",
            title="Workshop Session 1: Drivers and actors of commitment",
            kind=SessionKind.SPLIT,
            options=split_groups("WS1", ("Aula", "Seminar room 1")),
        ),
        SessionPlan(
            id="WS2",
            day="2022-02-02",
            start="13:30",
            end="14:30",
            title="Workshop Session 2: Local development of commitment",
            kind=SessionKind.SPLIT,
            options=split_groups("WS2", ("Aula", "Seminar room 1")),
        ),
        SessionPlan(
            id="WS3",
            day="2022-02-03",
            start="13:30",
            end="14:30",
            title="Workshop Session 3: Implementing frameworks",
            kind=SessionKind.SPLIT,
            options=split_groups("WS3", ("Aula", "Seminar room 1"), hosted=1),
        ),
        # Experts stay at their tables; next-generation professionals move on
        # after each of the three 45-minute rounds.
        SessionPlan(
            id="NEXTGEN",
            day="2022-02-04",
            start="14:15",
            end="15:30",
            title="Three parallel roundtable sessions: 45 min",
            kind=SessionKind.ROUNDTABLE,
            options=tables(
                (
                    ("Working for international organisations", 2, INTERNATIONAL, 2.0),
                    ("Human rights offices in city administrations", 2, LOCAL, 1.6),
                    ("Local politics and human rights", 1, LOCAL, 0.8),
                    ("Civil society advocacy", 1, CIVIL, 1.2),
                    ("Funding and project management in NGOs", 2, CIVIL, 0.7),
                    ("Research careers in human rights", 1, ACADEMIA, 1.0),
                    ("Human rights education and training", 2, ACADEMIA, 0.9),
                    ("Monitoring, data and indicators", 1, INTERNATIONAL, 0.6),
                ),
                (("Aula", 4), ("Gallery", 4)),
            ),
            rounds=3,
            audience=(NEXT_GEN,),
        ),
        # The closing workshops re-use the themes of the first three days.
        SessionPlan(
            id="OUTCOME",
            day="2022-02-07",
            start="13:30",
            end="14:30",
            title="Workshop sessions: 3 parallel workshops",
            kind=SessionKind.CHOICE,
            options=workshops(
                (
                    ("W10", "Drivers and actors of commitment", "Aula", 1.6),
                    ("W11", "Local development of commitment", "Seminar room 1", 1.0),
                    ("W12", "From commitment to responsibility", "Seminar room 2", 0.8),
                )
            ),
        ),
    ),
)

ACADEMY_2023 = YearPlan(
    year=2023,
    size=150,
    next_generation=36,
    networking_day="2023-02-03",
    registration_opens=datetime(2022, 11, 14, 9, 0),
    registration_closes=datetime(2023, 1, 25, 18, 0),
    delegation="Kutaisi City Hall",
    colleagues="Barcelona City Council",
    rapporteur_option=("OUTCOME", "ANTI-RACISM"),
    sessions=(
        # The programme calls both slots "2 parallel workshop sessions in breakout
        # rooms"; the day's heading is the more useful title on a room list.
        SessionPlan(
            id="WS1",
            day="2023-02-01",
            start="13:30",
            end="15:30",
            title="Stocktaking: Human rights objectives in public management",
            kind=SessionKind.SPLIT,
            options=split_groups("WS1", ("Breakout room A", "Breakout room B")),
        ),
        SessionPlan(
            id="WS2",
            day="2023-02-02",
            start="13:30",
            end="15:30",
            title="Implementing human rights in public management: what works?",
            kind=SessionKind.SPLIT,
            options=split_groups("WS2", ("Breakout room A", "Breakout room B")),
        ),
        # "4 parallel workshop sessions" on a day whose stated purpose is to meet
        # established experts and practitioners (the same text as 2022's roundtable
        # day): what tells the four groups apart is who leads them, not a theme, so
        # they are four expert-hosted tables, ranked by expert. The two-hour slot
        # allows two rounds, so everyone meets two experts and new peers; with
        # rounds = 1 it would amount to a choice session with hosts.
        SessionPlan(
            id="NEXTGEN",
            day="2023-02-03",
            start="13:30",
            end="15:30",
            title="Networking opportunities for the next generation: 4 parallel workshop sessions",
            kind=SessionKind.ROUNDTABLE,
            options=tables(
                (
                    ("Careers in international organisations", 2, INTERNATIONAL, 1.8),
                    ("Working in a city's human rights office", 1, LOCAL, 1.2),
                    ("Civil society and advocacy", 2, CIVIL, 1.0),
                    ("Researching and teaching human rights", 1, ACADEMIA, 0.8),
                ),
                (
                    ("Breakout room A", 1),
                    ("Breakout room B", 1),
                    ("Seminar room 3", 1),
                    ("Library", 1),
                ),
            ),
            rounds=2,
            audience=(NEXT_GEN,),
        ),
        # Invented themes, one per talk of the morning's Plenary Session C.
        SessionPlan(
            id="OUTCOME",
            day="2023-02-06",
            start="13:30",
            end="15:30",
            title="3 parallel workshop sessions in breakout rooms",
            kind=SessionKind.CHOICE,
            options=workshops(
                (
                    (
                        "PROCUREMENT",
                        "Human rights-based public procurement",
                        "Breakout room A",
                        1.0,
                    ),
                    (
                        "ANTI-RACISM",
                        "Overcoming structural racism through public management",
                        "Breakout room B",
                        1.6,
                    ),
                    (
                        "LITERACY",
                        "Human rights literacy and decentralisation",
                        "Seminar room 3",
                        0.8,
                    ),
                )
            ),
        ),
        # "Networking Day" 12:00-16:00: everyone, three rounds at cooperation tables.
        SessionPlan(
            id="COOP",
            day="2023-02-07",
            start="12:00",
            end="16:00",
            title="Networking and cooperation-building",
            kind=SessionKind.ROUNDTABLE,
            options=tables(
                (
                    ("Human rights budgeting", 1, LOCAL, 1.4),
                    ("Participatory budgeting", 1, LOCAL, 1.2),
                    ("Gender budgeting", 1, LOCAL, 1.0),
                    ("Public procurement, business and human rights", 1, INTERNATIONAL, 0.9),
                    ("Anti-racism action plans", 1, CIVIL, 1.3),
                    ("Indicators and monitoring", 1, ACADEMIA, 1.0),
                    ("Local Voluntary Reviews and the SDGs", 1, INTERNATIONAL, 1.1),
                    ("Human rights cities in Asia-Pacific", 1, LOCAL, 0.7),
                    ("Human rights cities in Africa", 1, CIVIL, 0.7),
                    ("Human rights cities in Latin America", 1, LOCAL, 0.7),
                    ("Joint research projects", 1, ACADEMIA, 0.8),
                    ("Youth participation in city governance", 1, CIVIL, 1.0),
                    ("Funding city-to-city cooperation", 1, INTERNATIONAL, 1.2),
                    ("Human rights training for municipal staff", 1, ACADEMIA, 0.9),
                ),
                (("Hall", 8), ("Gallery", 6)),
            ),
            rounds=3,
        ),
    ),
)

PLANS = {plan.year: plan for plan in (ACADEMY_2022, ACADEMY_2023)}


@dataclass
class Draft:
    """A person before registration order gives them an id."""

    name: str
    email: str
    organisation: str
    country: str
    region: str
    group: str
    role: str = ""
    days: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    registered: datetime | None = None


def build_academy(year: int, seed: int | None = None) -> Event:
    """The example event of one Academy year; the seed defaults to the year."""
    if year not in PLANS:
        raise ValueError(f"no programme for {year}; known years: {', '.join(map(str, PLANS))}")
    plan = PLANS[year]
    rng = random.Random(year if seed is None else seed)
    participants, roles = registered_participants(plan, rng)
    sessions = [session_of(item) for item in plan.sessions]
    hosts = choose_hosts(plan, participants, roles, rng)
    rules = organiser_rules(plan, roles, hosts)
    draft = Event(
        participants=participants,
        sessions=sessions,
        options=unsized_options(plan, hosts),
        rules=rules,
    )
    preferences = wishes(plan, draft, rng)
    ranked = Event(
        participants=participants,
        sessions=sessions,
        options=draft.options,
        preferences=preferences,
        rules=rules,
    )
    return Event(
        participants=participants,
        sessions=sessions,
        options=sized_options(ranked),
        preferences=preferences,
        rules=rules,
        settings=Settings(seed=0, time_limit=30),
    )


# --- people -----------------------------------------------------------------------------


def parse_name(entry: str) -> tuple[str, str]:
    """A pool entry as (name in its own script, romanised name)."""
    native, _, roman = entry.partition("=")
    return native, roman or native


ASCII_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "ı": "i"})


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: accents dropped, letters kept."""
    text = text.translate(ASCII_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(
        char for char in plain.lower() if char.isascii() and (char.isalnum() or char == "-")
    )


def person_name(pool: NamePool, rng: random.Random) -> tuple[str, str, str]:
    """A (display name, romanised given name, romanised family name) from a pool."""
    given, given_roman = parse_name(rng.choice(pool.given.split()))
    family, family_roman = parse_name(rng.choice(pool.family.split()))
    if pool.script != "Latin" and rng.random() < ROMANISED_NAME:
        return f"{given_roman} {family_roman}", given_roman, family_roman
    if pool.family_first:
        return f"{family}{given}", given_roman, family_roman
    return f"{given} {family}", given_roman, family_roman


def organisation_named(name: str) -> Organisation:
    """The organisation with that name."""
    return next(org for org in ORGANISATIONS if org.name == name)


def country_named(name: str) -> Country:
    """The country with that name."""
    return next(country for country in COUNTRIES if country.name == name)


def weighted_picks(pairs: tuple[tuple[str, int], ...], count: int, rng: random.Random) -> list[str]:
    """`count` values drawn with replacement from `(value, weight)` pairs."""
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs], k=count)


def organisation_for(group: str, rng: random.Random) -> Organisation:
    """A plausible employer for someone of that stakeholder group."""
    kind = EMPLOYERS.get(group) or weighted_picks(NEXT_GEN_EMPLOYERS, 1, rng)[0]
    return rng.choice([org for org in ORGANISATIONS if org.kind == kind])


def draft_person(
    group: str, org: Organisation, rng: random.Random, taken: set[str], role: str = ""
) -> Draft:
    """A synthetic person working at `org`; international staff come from anywhere."""
    country = country_named(org.country) if org.country else rng.choice(COUNTRIES)
    name, given, family = person_name(NAME_POOLS[country.names], rng)
    local = f"{ascii_fold(given)}.{ascii_fold(family)}"
    email = f"{local}@{org.domain}"
    number = 2
    while email in taken:
        email = f"{local}{number}@{org.domain}"
        number += 1
    taken.add(email)
    return Draft(name, email, org.name, country.name, country.region, group, role)


def special_people(plan: YearPlan, rng: random.Random, taken: set[str]) -> list[Draft]:
    """The people hosts and rules need: facilitators, a delegate with interpreter, and so on."""
    organisers = [org for org in ORGANISATIONS if org.kind == "organiser"]
    delegation = organisation_named(plan.delegation)
    colleagues = organisation_named(plan.colleagues)
    university = rng.choice([org for org in ORGANISATIONS if org.kind == "university"])
    people = [
        draft_person(ACADEMIA, organisers[index % 2], rng, taken, FACILITATOR)
        for index in range(FACILITATORS)
    ]
    people += [
        draft_person(ACADEMIA, organisers[1], rng, taken, RAPPORTEUR),
        draft_person(LOCAL, delegation, rng, taken, DELEGATE),
        draft_person(LOCAL, delegation, rng, taken, INTERPRETER),
        draft_person(LOCAL, colleagues, rng, taken, DELEGATION),
        draft_person(LOCAL, colleagues, rng, taken, DELEGATION),
        draft_person(ACADEMIA, university, rng, taken, SUPERVISOR),
        draft_person(NEXT_GEN, university, rng, taken, INTERN),
    ]
    return people


def ordinary_people(count: int, next_gen: int, rng: random.Random, taken: set[str]) -> list[Draft]:
    """Everyone else: `next_gen` next-generation professionals, then the stakeholder mix."""
    chosen = [NEXT_GEN] * next_gen + weighted_picks(ORDINARY_GROUPS, count - next_gen, rng)
    return [draft_person(group, organisation_for(group, rng), rng, taken) for group in chosen]


def programme_days(plan: YearPlan) -> list[str]:
    """The days with sessions, in programme order."""
    return list(dict.fromkeys(session.day for session in plan.sessions))


def attendance(person: Draft, plan: YearPlan, rng: random.Random) -> tuple[str, ...]:
    """Most people come every day (empty); some miss one or two main days."""
    if person.role or rng.random() >= PARTIAL_ATTENDANCE:
        return ()
    main_days = [day for day in programme_days(plan) if day != plan.networking_day]
    missed = set(rng.sample(main_days, rng.choice((1, 2))))
    kept = [day for day in main_days if day not in missed]
    if person.group == NEXT_GEN:
        kept.append(plan.networking_day)
    return tuple(sorted(kept))


def registration_time(start: datetime, end: datetime, rng: random.Random) -> datetime:
    """A minute between start and end."""
    minutes = int((end - start).total_seconds() // 60)
    return start + timedelta(minutes=rng.randrange(minutes))


def register(people: list[Draft], plan: YearPlan, rng: random.Random) -> None:
    """Registration times; a few late ones, two of them during the event for later days."""
    first_day = datetime.fromisoformat(programme_days(plan)[0])
    for person in people:
        person.registered = registration_time(
            plan.registration_opens, plan.registration_closes, rng
        )
    ordinary = [person for person in people if not person.role and not person.needs]
    late = rng.sample(ordinary, LATE_BEFORE_START + LATE_DURING_EVENT)
    for person in late[:LATE_BEFORE_START]:
        person.registered = registration_time(first_day - timedelta(days=4), first_day, rng)
    opening = first_day + timedelta(hours=9)
    for person in late[LATE_BEFORE_START:]:
        registered = registration_time(opening, opening + timedelta(days=1, hours=9), rng)
        person.registered = registered
        person.days = days_after(registered, person, plan)


def days_after(registered: datetime, person: Draft, plan: YearPlan) -> tuple[str, ...]:
    """The days a person who registered during the event can still attend."""
    registered_on = registered.date().isoformat()
    later = [day for day in programme_days(plan) if day > registered_on]
    chosen = [day for day in later if day in person.days] if person.days else later
    if person.group != NEXT_GEN:
        chosen = [day for day in chosen if day != plan.networking_day]
    elif plan.networking_day not in chosen:
        chosen.append(plan.networking_day)
    return tuple(sorted(chosen or later))


def registered_participants(
    plan: YearPlan, rng: random.Random
) -> tuple[list[Participant], dict[str, str]]:
    """The participants in registration order, ids by that order, and each id's role."""
    taken: set[str] = set()
    people = special_people(plan, rng, taken)
    next_gen = plan.next_generation - sum(person.group == NEXT_GEN for person in people)
    people += ordinary_people(plan.size - len(people), next_gen, rng, taken)
    for person in people:
        person.days = attendance(person, plan, rng)
    for person in rng.sample([person for person in people if not person.role], STEP_FREE_NEEDS):
        person.needs = (STEP_FREE,)
    register(people, plan, rng)
    people.sort(key=lambda person: (person.registered or datetime.min, person.email))
    participants = [participant_of(person, plan.year, index) for index, person in enumerate(people)]
    roles = {p.id: person.role for p, person in zip(participants, people, strict=True)}
    return participants, roles


def participant_of(person: Draft, year: int, index: int) -> Participant:
    """The Participant row of a draft; ids are registration numbers."""
    return Participant(
        id=f"A{year % 100:02d}-{index + 1:03d}",
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        country=person.country,
        region=person.region,
        group=person.group,
        days=person.days,
        needs=person.needs,
        registered=person.registered,
    )


# --- sessions, hosts and rules ----------------------------------------------------------


def session_of(plan: SessionPlan) -> Session:
    """The Session row of a planned slot."""
    return Session(
        id=plan.id,
        day=plan.day,
        kind=plan.kind,
        title=plan.title,
        start=plan.start,
        end=plan.end,
        rounds=plan.rounds,
        audience=plan.audience,
    )


def host_candidates(
    option: OptionPlan, day: str, participants: list[Participant], roles: dict[str, str]
) -> list[str]:
    """Who may host an option: facilitators, or experts of its group present that day."""
    if option.host_group == FACILITATOR:
        return [p.id for p in participants if roles[p.id] == FACILITATOR]
    return [
        p.id
        for p in participants
        if not roles[p.id] and p.group == option.host_group and p.attends(day) and not p.needs
    ]


def choose_hosts(
    plan: YearPlan, participants: list[Participant], roles: dict[str, str], rng: random.Random
) -> dict[tuple[str, str], tuple[str, ...]]:
    """Hosts of each option; the intern's supervisor hosts an academic next-generation table."""
    supervisor = next(pid for pid, role in roles.items() if role == SUPERVISOR)
    hosts: dict[tuple[str, str], tuple[str, ...]] = {}
    for session in plan.sessions:
        used: set[str] = set()
        wants_supervisor = NEXT_GEN in session.audience
        for option in session.options:
            chosen: list[str] = []
            if wants_supervisor and option.host_group == ACADEMIA:
                chosen.append(supervisor)
                wants_supervisor = False
            free = [
                pid
                for pid in host_candidates(option, session.day, participants, roles)
                if pid not in used
            ]
            if option.host_group == FACILITATOR:
                chosen += free[: option.hosts - len(chosen)]
            else:
                chosen += rng.sample(free, option.hosts - len(chosen))
            used.update(chosen)
            hosts[(session.id, option.id)] = tuple(chosen)
    return hosts


def organiser_rules(
    plan: YearPlan, roles: dict[str, str], hosts: dict[tuple[str, str], tuple[str, ...]]
) -> list[Rule]:
    """An interpreter stays with the delegate; colleagues split up; a rapporteur; an intern."""
    supervisor = with_role(roles, SUPERVISOR)[0]
    supervised = next(key for key, ids in hosts.items() if supervisor in ids)
    session, option = plan.rapporteur_option
    return [
        Rule(kind=RuleKind.TOGETHER, participants=with_role(roles, DELEGATE, INTERPRETER)),
        Rule(
            kind=RuleKind.APART,
            participants=with_role(roles, DELEGATION),
            strength=Strength.SOFT,
            weight=2,
        ),
        Rule(
            kind=RuleKind.ASSIGN,
            participants=with_role(roles, RAPPORTEUR),
            session=session,
            option=option,
        ),
        Rule(
            kind=RuleKind.FORBID,
            participants=with_role(roles, INTERN),
            session=supervised[0],
            option=supervised[1],
        ),
    ]


def with_role(roles: dict[str, str], *wanted: str) -> tuple[str, ...]:
    """The ids of the people with those roles, in the order of the roles asked for."""
    return tuple(pid for role in wanted for pid, has in roles.items() if has == role)


def is_step_free(room: str) -> bool:
    """True for the rooms, and the tables in rooms, that people in wheelchairs can reach."""
    return room.split(",")[0] in STEP_FREE_ROOMS


def unsized_options(plan: YearPlan, hosts: dict[tuple[str, str], tuple[str, ...]]) -> list[Option]:
    """The options with their hosts and rooms; capacities come once the audience is known."""
    return [
        Option(
            session=session.id,
            id=option.id,
            max=0,
            title=option.title,
            room=option.room,
            features=(STEP_FREE,) if is_step_free(option.room) else (),
            hosts=hosts[(session.id, option.id)],
        )
        for session in plan.sessions
        for option in session.options
    ]


# --- preferences ------------------------------------------------------------------------


def weighted_order(options: list[OptionPlan], rng: random.Random) -> list[str]:
    """Option ids in a random order where popular options tend to come first."""
    keyed = [(rng.random() ** (1.0 / option.popularity), option.id) for option in options]
    return [option_id for _, option_id in sorted(keyed, reverse=True)]


def wishes(plan: YearPlan, event: Event, rng: random.Random) -> list[Preference]:
    """Everyone's ranked wishes for the choice sessions and roundtables they take part in."""
    preferences: list[Preference] = []
    for session_plan in plan.sessions:
        preferences += session_wishes(session_plan, event, rng)
    return preferences


def session_wishes(plan: SessionPlan, event: Event, rng: random.Random) -> list[Preference]:
    """Wishes for one session; interpreters copy their delegate, assigned people have none."""
    if plan.kind is SessionKind.SPLIT:
        return []
    session = event.session_by_id[plan.id]
    ruled = {pid for rule in event.rules if rule.applies_to(plan.id) for pid in rule.participants}
    assigned = {
        pid for rule in event.rules_for(plan.id, [RuleKind.ASSIGN]) for pid in rule.participants
    }
    forbidden = {
        (pid, rule.option)
        for rule in event.rules_for(plan.id, [RuleKind.FORBID])
        for pid in rule.participants
    }
    rankings: dict[str, tuple[list[str], list[str]]] = {}
    for person in event.audience_of(session):
        if (person.id, plan.id) in event.host_option or person.id in assigned:
            continue
        allowed = [option for option in plan.options if (person.id, option.id) not in forbidden]
        order = weighted_order(allowed, rng)
        if plan.kind is SessionKind.ROUNDTABLE:
            rankings[person.id] = (order[: rng.choice((3, 4))], [])
        elif person.id not in ruled and not person.needs and rng.random() < VETO_SHARE:
            rankings[person.id] = (order[:-1], order[-1:])
        else:
            rankings[person.id] = (order, [])
    for rule in event.rules_for(plan.id, [RuleKind.TOGETHER]):
        leader, *followers = rule.participants
        for follower in followers:
            if leader in rankings and follower in rankings:
                rankings[follower] = rankings[leader]
    return [
        preference
        for person_id, (ranked, vetoed) in rankings.items()
        for preference in ranked_wishes(person_id, plan.id, ranked, vetoed)
    ]


def ranked_wishes(
    person_id: str, session_id: str, ranked: list[str], vetoed: list[str]
) -> list[Preference]:
    """Preference rows of one person: ranks 1, 2, … in order, then their vetoes (`no`)."""
    rows = [
        Preference(participant=person_id, session=session_id, option=option_id, rank=rank)
        for rank, option_id in enumerate(ranked, start=1)
    ]
    return rows + [
        Preference(participant=person_id, session=session_id, option=option_id, rank=None)
        for option_id in vetoed
    ]


# --- capacities -------------------------------------------------------------------------


def sized_options(event: Event) -> list[Option]:
    """Every option with its capacity."""
    return [
        option.model_copy(update={"max": capacity(event, session, option)})
        for session in event.sessions
        for option in event.options_of[session.id]
    ]


def capacity(event: Event, session: Session, option: Option) -> int:
    """A fair share of the audience plus slack; a popular workshop holds most who want it."""
    options = event.options_of[session.id]
    audience = len(event.audience_of(session))
    if session.kind is SessionKind.SPLIT:
        return math.ceil(audience / len(options)) + SPLIT_SLACK
    guests = audience - sum(len(other.hosts) for other in options)
    share = math.ceil(guests / len(options))
    if session.kind is SessionKind.ROUNDTABLE:
        return len(option.hosts) + share + TABLE_SLACK
    firsts = sum(
        pref.session == session.id and pref.option == option.id and pref.rank == 1
        for pref in event.preferences
    )
    return len(option.hosts) + max(share, math.ceil(FIRST_CHOICE_SHARE * firsts)) + CHOICE_SLACK


# --- command ----------------------------------------------------------------------------


def checked(event: Event, year: int) -> Event:
    """The event, after making sure the generator produced a valid workbook."""
    problems = errors(validate_event(event))
    if problems:
        raise ValueError(f"academy {year}: " + "; ".join(str(problem) for problem in problems))
    return event


def main() -> None:
    """Write data/academy-2022.xlsx and data/academy-2023.xlsx."""
    DATA_DIR.mkdir(exist_ok=True)
    for year in sorted(PLANS):
        path = DATA_DIR / f"academy-{year}.xlsx"
        write_event(checked(build_academy(year), year), path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
