"""Links from threat rules to the FSTEC threat database (БДУ ФСТЭК России, bdu.fstec.ru).

A rule names the УБИ ids it is an instance of in ``references.bdu``. Views read them through
``threat_bdu`` (one access point, so the source can move into the analysis result without
touching the views) and show the official names from ``NAMES``.

``NAMES`` holds the official names, as the FSTEC threat list gives them, of the ids the shipped
catalogs cite; tests/test_bdu.py checks every cited id and every name against the official list
(../shared/reference/fstec-bdu/thrlist.csv). An id a user catalog cites that is not here is shown
without a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tmodel.catalog.load import Catalog

BDU_URL = "https://bdu.fstec.ru/threat"

NAMES: dict[str, str] = {
    "УБИ.006": "Угроза внедрения кода или данных",
    "УБИ.008": "Угроза восстановления и/или повторного использования аутентификационной информации",
    "УБИ.012": "Угроза деструктивного изменения конфигурации/среды окружения программ",
    "УБИ.014": "Угроза длительного удержания вычислительных ресурсов пользователями",
    "УБИ.028": "Угроза использования альтернативных путей доступа к ресурсам",
    "УБИ.030": "Угроза использования информации идентификации/аутентификации, заданной по умолчанию",
    "УБИ.031": "Угроза использования механизмов авторизации для повышения привилегий",
    "УБИ.033": "Угроза использования слабостей кодирования входных данных",
    "УБИ.034": "Угроза использования слабостей протоколов сетевого/локального обмена данными",
    "УБИ.042": "Угроза межсайтовой подделки запроса",
    "УБИ.063": "Угроза некорректного использования функционала программного и аппаратного обеспечения",
    "УБИ.067": "Угроза неправомерного ознакомления с защищаемой информацией",
    "УБИ.068": "Угроза неправомерного/некорректного использования интерфейса взаимодействия с приложением",
    "УБИ.069": "Угроза неправомерных действий в каналах связи",
    "УБИ.074": "Угроза несанкционированного доступа к аутентификационной информации",
    "УБИ.088": "Угроза несанкционированного копирования защищаемой информации",
    "УБИ.100": "Угроза обхода некорректно настроенных механизмов аутентификации",
    "УБИ.116": "Угроза перехвата данных, передаваемых по вычислительной сети",
    "УБИ.124": "Угроза подделки записей журнала регистрации событий",
    "УБИ.127": "Угроза подмены действия пользователя путём обмана",
    "УБИ.128": "Угроза подмены доверенного пользователя",
    "УБИ.130": "Угроза подмены содержимого сетевых ресурсов",
    "УБИ.131": "Угроза подмены субъекта сетевого доступа",
    "УБИ.132": "Угроза получения предварительной информации об объекте защиты",
    "УБИ.140": "Угроза приведения системы в состояние «отказ в обслуживании»",
    "УБИ.145": "Угроза пропуска проверки целостности программного обеспечения",
    "УБИ.156": "Угроза утраты носителей информации",
    "УБИ.175": "Угроза «фишинга»",
    "УБИ.192": "Угроза использования уязвимых версий программного обеспечения",
    "УБИ.212": "Угроза перехвата управления информационной системой",
    "УБИ.214": "Угроза несвоевременного выявления и реагирования компонентами информационной (автоматизированной) "
               "системы (в том числе средствами защиты информации) на события безопасности информации",
}

# (catalog id, rule id) -> УБИ ids, filled by the catalog loader for every catalog set it loads
_BY_RULE: dict[tuple[str, str], list[str]] = {}


def remember(catalog: Catalog) -> None:
    """Record the УБИ ids of every rule of a loaded catalog set (called by the loader)."""
    for rid, cr in catalog.rules.items():
        _BY_RULE[(cr.catalog, rid)] = list(cr.rule.references.bdu)


def threat_bdu(t: Any) -> list[str]:
    """The УБИ ids of a threat (an analysis Threat: its rule's ``references.bdu``)."""
    own = getattr(t, "bdu", None)
    if own is not None:
        return list(own)
    return list(_BY_RULE.get((t.catalog, t.rule), []))


def name(bdu_id: str) -> str:
    """The official name of a УБИ id, or '' when it is not one the shipped catalogs cite."""
    return NAMES.get(bdu_id, "")


def label(bdu_id: str) -> str:
    """'УБИ.008 Угроза ...' (the id alone when the name is not known)."""
    n = name(bdu_id)
    return f"{bdu_id} {n}" if n else bdu_id


def number(bdu_id: str) -> str:
    """'008' from 'УБИ.008' (bdu.fstec.ru addresses threats by number)."""
    return bdu_id.split(".", 1)[1]
