"""The demo network: who and where. Plain data, so the seed reads as a story."""

from dataclasses import dataclass, field

PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoClinic:
    name: str
    region: str
    city: str
    address: str
    latitude: float
    longitude: float
    is_competitor: bool = False
    time_zone: str = "Europe/Moscow"  # real IANA zones: Kaliningrad's day starts eight hours after Vladivostok's
    # Chance that a touchpoint's items pass, per wave (Q2, Q3, Q4); touchpoints not named use `base`.
    base: tuple[float, float, float] = (0.82, 0.84, 0.85)
    touchpoints: dict[str, tuple[float, float, float]] = field(default_factory=dict)


REGIONS = ("Москва", "Санкт-Петербург", "Регионы")

CLINICS = (
    DemoClinic("Арбат", "Москва", "Москва", "ул. Арбат, 24", 55.7503, 37.5929, base=(0.9, 0.91, 0.92)),
    DemoClinic("Тверская", "Москва", "Москва", "ул. Тверская, 12", 55.7637, 37.6065, base=(0.84, 0.83, 0.86)),
    DemoClinic("Хамовники", "Москва", "Москва", "Комсомольский пр-т, 7", 55.7336, 37.5880,
               base=(0.8, 0.82, 0.81), touchpoints={"follow_up": (0.45, 0.5, 0.55)}),
    # Clearly weak on the phone call, wave after wave.
    DemoClinic("Сокольники", "Москва", "Москва", "ул. Русаковская, 31", 55.7890, 37.6790,
               base=(0.83, 0.84, 0.83), touchpoints={"call": (0.3, 0.32, 0.35), "online": (0.6, 0.6, 0.62)}),
    DemoClinic("Невский", "Санкт-Петербург", "Санкт-Петербург", "Невский пр-т, 88", 59.9320, 30.3550,
               base=(0.86, 0.85, 0.88)),
    # Improving wave over wave after a training programme.
    DemoClinic("Петроградская", "Санкт-Петербург", "Санкт-Петербург", "Большой пр-т П.С., 45", 59.9620, 30.3080,
               base=(0.52, 0.7, 0.88)),
    DemoClinic("Васильевский", "Санкт-Петербург", "Санкт-Петербург", "6-я линия В.О., 15", 59.9420, 30.2800,
               base=(0.78, 0.8, 0.8), touchpoints={"diagnostics": (0.6, 0.62, 0.66)}),
    DemoClinic("Конкурент: «Эстетик Плюс»", "Москва", "Москва", "Кутузовский пр-т, 30", 55.7430, 37.5400,
               is_competitor=True, base=(0.8, 0.8, 0.8)),
    DemoClinic("Конкурент: «Бьюти Мед»", "Санкт-Петербург", "Санкт-Петербург", "Литейный пр-т, 40",
               59.9400, 30.3480, is_competitor=True, base=(0.74, 0.76, 0.77)),
    # Last, so the clinics above keep their places (and fates) in the seed: the network's west and
    # east ends, whose days start at 22:00 and 14:00 UTC.
    DemoClinic("Калининград", "Регионы", "Калининград", "Ленинский пр-т, 30", 54.7104, 20.5101,
               time_zone="Europe/Kaliningrad", base=(0.8, 0.83, 0.85)),
    DemoClinic("Екатеринбург", "Регионы", "Екатеринбург", "ул. Малышева, 51", 56.8380, 60.6050,
               time_zone="Asia/Yekaterinburg", base=(0.82, 0.82, 0.84)),
    DemoClinic("Владивосток", "Регионы", "Владивосток", "ул. Светланская, 29", 43.1155, 131.8855,
               time_zone="Asia/Vladivostok", base=(0.76, 0.8, 0.83)),
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    role: str
    name: str
    clinic: str | None = None  # a manager's clinic
    regions: tuple[str, ...] = ()  # a regional director's scope
    whole_network: bool = False  # a director who sees every clinic (an explicit choice)


PEOPLE = (
    DemoPerson("admin@demo.test", "admin", "Анна Админова"),
    DemoPerson("qa@demo.test", "qa_lead", "Ольга Контролёва"),
    DemoPerson("director@demo.test", "director", "Игорь Директоров", whole_network=True),
    DemoPerson("director.spb@demo.test", "director", "Мария Петербургская", regions=("Санкт-Петербург",)),
    DemoPerson("manager@demo.test", "manager", "Сергей Арбатов", clinic="Арбат"),
    DemoPerson("shopper@demo.test", "shopper", "Елена Тайная"),
    DemoPerson("shopper2@demo.test", "shopper", "Дарья Покупатель"),
    DemoPerson("shopper3@demo.test", "shopper", "Ирина Визитёрова"),
)

WAVES = (  # name, starts_on, ends_on (ISO)
    ("2026 Q2", "2026-04-01", "2026-06-30"),
    ("2026 Q3", "2026-07-01", "2026-09-30"),
    ("2026 Q4", "2026-10-01", "2026-12-31"),
)
VISITS_PER_CLINIC = 2
