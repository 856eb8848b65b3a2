"""Personal data and bank data recognised by field names and formats (English and Russian transliteration).

``classify(name, context, schema)`` returns the ``Category`` a field belongs to, or None.
``name`` is a property or parameter name as written (camelCase, snake_case, kebab-case, PascalCase);
``context`` the names around it, nearest last: enclosing property names and the names of the
referenced definitions (``('Data', 'Party', 'OBParty2')``); ``schema`` the field's own schema.

The heuristic, and why (each rule errs on the side of not reporting a field):

- Names are split into lowercase words (``dateOfBirth`` -> date, of, birth; ``data_rozhdeniya``
  -> data, rozhdeniya) and matched on whole words or on the joined word, never on substrings of
  a word: ``inn`` matches ``payerInn`` and ``INN`` but not ``inner``; ``pan`` matches ``maskedPan``
  but not ``company``.
- ``name`` alone is not a person's name (products, banks, files have names). It is one only
  when the nearest enclosing name is a person-like thing (party, person, customer, client, PSU,
  holder, owner...). ``accountName``, ``merchantName``, ``bankName`` are never personal names.
- An account's ``Name`` is not a personal name either (UK Open Banking ``CreditorAccount.Name``
  may be a company); an account's ``Identification`` / ``number`` IS the account number.
- Names, contacts, addresses, birth data and documents inside an organisation-like context
  (merchant, branch, institution, agent, company, ATM, provider...) are the organisation's, not
  a person's, and are not reported: a merchant's ``addressLine`` is not personal data, nor is
  a ``cardAcceptorAddress`` or a ``bankName`` (the field's own words count too).
- Addresses that are network addresses (IP, MAC, URL, web, wallet, callback) are not postal
  addresses; ``emailAddress`` is a contact.
- A string with ``format: email`` is a contact whatever its name.
- Fields under ``_links`` / ``links`` are hyperlinks (PSD2 ``_links.balances`` is a URL), and
  booleans are flags about data (``withBalance``), not the data: neither is reported.
- An ``identification`` or ``number`` of a document (the nearest enclosing name says document or
  passport) is an identity document number (Open Finance Brasil ``LoggedUserDocument``).
- Balances are recognised by the last word (``availableBalance``, ``Balance``), not by any word
  (``balanceType`` is a field *of* a balance, already covered by its parent).

Limits: a field called ``value`` or ``identification`` outside an account, a free-text
``description`` holding names, codes like ``cpf``/``cnpj`` in other national schemes (only CPF
is known), and personal data in arrays of untyped strings are not recognised. Review the data
assets an import produces: they are a starting point, not an inventory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Category:
    key: str  # data asset id
    title: str
    classification: str  # model Classification value
    pd_category: str  # model PdCategory value
    description: str


NAMES = Category("pd-person-names", "Personal names (full name, first, last and middle names)", "confidential", "general",
                 "Names of natural persons (152-FZ personal data).")
BIRTH = Category("pd-birth-data", "Dates and places of birth", "confidential", "general",
                 "Birth dates and places of natural persons (152-FZ personal data).")
DOCUMENTS = Category("pd-identity-documents", "Identity documents and personal numbers (passport, SNILS, INN)", "confidential",
                     "general", "Identity document details and personal identification numbers (152-FZ personal data).")
CONTACTS = Category("pd-contacts", "Contact details (phone numbers, e-mail addresses)", "confidential", "general",
                    "Phone numbers and e-mail addresses of natural persons (152-FZ personal data).")
ADDRESSES = Category("pd-addresses", "Personal addresses", "confidential", "general",
                     "Postal and residential addresses of natural persons (152-FZ personal data).")
CARDS = Category("card-numbers", "Payment card numbers (PAN)", "payment", "general",
                 "Card numbers, full or masked (PCI DSS scope when full); personal data when the card is a person's.")
ACCOUNTS = Category("account-data", "Account numbers and balances", "bank_secrecy", "general",
                    "Account numbers and balances of clients (bank secrecy; personal data when the client is a person).")
BIOMETRIC = Category("pd-biometric", "Biometric data (photos, face, voice)", "confidential", "biometric",
                     "Biometric personal data (152-FZ art. 11): photos or recordings used to identify a person.")
HEALTH = Category("pd-health", "Health data", "confidential", "special",
                  "Special category personal data (152-FZ art. 10): health, diagnoses, disability.")

CATEGORIES = (NAMES, BIRTH, DOCUMENTS, CONTACTS, ADDRESSES, CARDS, ACCOUNTS, BIOMETRIC, HEALTH)
# categories that belong to a person and are dropped in an organisation's context
PERSONAL_ONLY = {NAMES, BIRTH, DOCUMENTS, CONTACTS, ADDRESSES, BIOMETRIC, HEALTH}

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    """``'dateOfBirth'`` -> ['date', 'of', 'birth']; ``'PSU-IP-Address'`` -> ['psu', 'ip', 'address']."""
    return [w.lower() for w in _WORD.findall(str(name))]


PERSON_CONTEXT = {"party", "person", "persons", "individual", "customer", "client", "psu", "holder", "holders", "cardholder",
                  "owner", "owners", "signatory", "representative", "employee", "fio", "contact", "user"}
ORG_CONTEXT = {"merchant", "branch", "institution", "agent", "company", "organisation", "organization", "atm", "servicer",
               "aspsp", "brand", "shop", "store", "issuer", "vendor", "seller", "corporate", "business", "employer",
               "acquirer", "acceptor", "terminal", "outlet", "provider", "bank", "organizacii", "organizatsii", "kompanii"}
LINK_CONTEXT = {"links", "link", "hrefs"}
NETWORK = {"ip", "mac", "url", "uri", "web", "host", "server", "callback", "wallet", "redirect", "remote", "endpoint", "smtp"}

NAME_JOINED = {"fullname", "fio", "familiya", "imya", "otchestvo", "firstname", "lastname", "surname", "middlename",
               "givenname", "givennames", "familyname", "patronymic", "personname", "holdername", "cardholdername",
               "accountholdername", "customername", "clientname", "secondname", "polnoeimya", "socialname", "civilname",
               "forename", "forenames", "firstnames", "lastnames", "maidenname", "psuname", "fullnames"}
CARD_JOINED = {"cardnumber", "pan", "maskedpan", "primaryaccountnumber", "cardpan", "nomerkarty", "maskedcardnumber",
               "cardnum", "cardno", "panmasked", "maskedcard", "cardmasked"}
ACCOUNT_JOINED = {"accountnumber", "accountno", "accountnum", "accnumber", "accno", "iban", "bban", "schet", "nomerscheta",
                  "raschetnyyschet", "licevoyschet", "litsevoyschet", "maskedaccountnumber", "accountnumbermasked"}
DOC_WORDS = {"passport", "pasport", "snils", "inn", "innfl", "cpf", "pasporta"}
BIO_WORDS = {"photo", "foto", "selfie", "biometric", "biometrics", "biometriya", "fingerprint", "voiceprint", "liveness",
             "facial", "face"}
HEALTH_WORDS = {"health", "diagnosis", "diagnoz", "medical", "disability", "invalidnost", "illness", "bolezn", "zdorovya"}


def classify(name: str, context: tuple[str, ...] = (), schema: Any = None) -> Category | None:
    """The category of a field, or None. See the module's docstring for the rules and their limits."""
    ws = words(name)
    if not ws:
        return None
    joined = "".join(ws)
    wset = set(ws)
    near = [set(words(c)) for c in context[-3:]]
    parent = near[-1] if near else set()
    in_org = any(n & ORG_CONTEXT for n in near)
    fmt = schema.get("format") if isinstance(schema, dict) else None
    if isinstance(schema, dict) and schema.get("type") == "boolean":
        return None  # 'withBalance', 'hasPassport': a flag about the data, not the data
    if any(n & LINK_CONTEXT for n in near):
        return None  # HAL / PSD2 '_links': {balances: {href}} are hyperlinks, not balances

    cat = _by_name(ws, wset, joined, parent, fmt)
    if cat is None:
        return None
    if cat in PERSONAL_ONLY and (in_org or wset & ORG_CONTEXT):
        return None
    return cat


def _by_name(ws: list[str], wset: set[str], joined: str, parent: set[str], fmt: Any) -> Category | None:
    if wset & NETWORK:
        return None
    if joined in CARD_JOINED or "pan" in wset or ("card" in wset and wset & {"number", "num", "no", "nomer"}):
        return CARDS
    if joined in ACCOUNT_JOINED or wset & {"iban", "bban", "schet", "scheta"} or (
            "account" in wset and wset & {"number", "num", "no", "nomer"}) or ws[-1] in ("balance", "balances", "ostatok"):
        return ACCOUNTS
    if "account" in parent and joined in ("identification", "number", "num", "nomer"):
        return ACCOUNTS  # UK CashAccount.Identification, Brasil AccountData.number
    if parent & {"document", "documento", "dokument", "passport", "pasport"} and joined in ("identification", "number", "num",
                                                                                              "nomer", "series", "seriya"):
        return DOCUMENTS  # Brasil LoggedUserDocument.identification (CPF)
    if wset & BIO_WORDS and joined not in ("facevalue", "faceamount"):
        return BIOMETRIC
    if wset & HEALTH_WORDS:
        return HEALTH
    if wset & DOC_WORDS or "passport" in joined or "pasport" in joined or "driverlicen" in joined or "driverslicen" in joined:
        return DOCUMENTS
    if "birth" in joined or "rozhden" in joined or wset & {"dob", "birthday"}:
        return BIRTH
    if ("phone" in joined or "telefon" in joined or joined in ("mobile", "mobilenumber", "mobileno", "msisdn")
            or "email" in joined or joined in ("mail", "pochta", "epochta", "elpochta", "elektronnayapochta") or fmt == "email"):
        return CONTACTS
    if "address" in joined or "adres" in joined or wset & {"postcode", "zipcode", "street", "ulitsa"} or joined in ("postcode", "zipcode"):
        return ADDRESSES
    if joined in NAME_JOINED:
        return NAMES
    if joined in ("name", "names") and parent & PERSON_CONTEXT and "account" not in parent:
        return NAMES
    return None
