"""The desk on a phone (issue 10, item 10), walked in Chromium at 390 x 844 with touch, in English
and in French, by a level-1 agent and by a supervisor: the work lists, search, the ticket page and
the reply form.

On every page: nothing wider than the screen; every visible control a finger taps at least
44 x 44 CSS px (WCAG 2.5.5) — a checkbox or radio counts with its label, which toggles it; the
only exceptions are links inside a customer's message body (their HTML, as written) and inline
text links inside a paragraph's running text; no serious or critical axe-core violation. The
work lists' views fold into a disclosure on a phone (open on wide screens), and each value of a
list card shows its column's translated name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, BrowserContext, Page, expect

from comptoir.intake.models import InboundRecord
from comptoir.knowledge.models import Article
from comptoir.macros.models import Macro
from comptoir.tickets.models import Category, Ticket
from tests.factories import AgentFactory, TeamFactory

from .conftest import TIMEOUT_MS, assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}
TARGET = 44  # CSS px
LOCALES = ["en-CA", "fr-CA"]

# Every visible control's box, smaller than TARGET in either direction; see the module's docstring
# for what is exempt and why.
SMALL_TARGETS_JS = """(target) => {
  const small = [];
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(controls)) {
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // Off-screen until focused (the skip link).
    if (box.bottom + window.scrollY <= 0 || box.right + window.scrollX <= 0) continue;
    if (el.closest('.msg .body')) continue;  // the customer's own HTML
    const paragraph = el.closest('p');
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' && paragraph
        && paragraph.textContent.trim().length > el.textContent.trim().length) continue;  // inline text link
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels) {
      for (const label of el.labels) {
        const lb = label.getBoundingClientRect();
        if (lb.width >= box.width && lb.height >= box.height) box = lb;
      }
    }
    if (box.width < target - 0.01 || box.height < target - 0.01) {
      const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim();
      const kind = el.tagName.toLowerCase() + (el.type ? ' type=' + el.type : '');
      small.push(`<${kind}> "${name.slice(0, 50)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

# For each visible card (list row) with values: each labelled cell's label as shown (its ::before
# content) and its column's header text.
CARD_LABELS_JS = """(rowSelector) => {
  const rows = [...document.querySelectorAll(rowSelector)].filter(r => r.checkVisibility());
  return rows.map(row => {
    const headers = [...row.closest('table').querySelectorAll('thead th')].map(th => th.textContent.trim());
    return [...row.children].filter(td => td.hasAttribute('data-label')).map(td => ({
      label: td.dataset.label,
      shown: getComputedStyle(td, '::before').content,
      display: getComputedStyle(td, '::before').display,
      header: headers[[...row.children].indexOf(td)],
      value: td.innerText.trim(),
    }));
  });
}"""


@pytest.fixture
def world(settings, live_server, make_ticket) -> dict[str, Any]:
    """A team, a level-1 agent holding a ticket, a supervisor, and tickets in the triage queue."""
    settings.BASE_URL = live_server.url
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all in the triage queue too
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="agente@comptoir.test", name="Marie Tremblay", can_pick=True)
    boss = AgentFactory(
        teams=[team], email="chef@comptoir.test", name="Paul Gagnon", is_supervisor=True, level=2
    )
    ticket = make_ticket(
        subject="Ma facture d'électricité est deux fois plus élevée que d'habitude ce mois-ci",
        body=(
            "Bonjour, ma facture de novembre est deux fois plus élevée que d'habitude. Voir "
            "https://exemple.test/mon-compte/factures/2026/novembre/detail-de-la-consommation-par-jour "
            "et mon numéro de compte 0123456789012345678901234567890. Merci."
        ),
    )
    others = [
        make_ticket(subject="Panne de courant rue Principale", body="Plus de courant depuis ce matin."),
        make_ticket(subject="Change of address", body="I am moving next month.", language="en"),
    ]
    Ticket.objects.filter(pk__in=[ticket.pk, *(t.pk for t in others)]).update(team=team)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, status=Ticket.Status.OPEN)
    return {"team": team, "agent": agent, "boss": boss, "ticket": ticket}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open a phone's browser context (390 x 844, touch) speaking ``locale``; closed at teardown."""
    contexts: list[BrowserContext] = []

    def make(locale: str, viewport: dict[str, int] = PHONE) -> BrowserContext:
        language = locale.split("-")[0]
        context = browser.new_context(
            viewport=viewport, device_scale_factor=2, is_mobile=viewport is PHONE, has_touch=True,
            locale=locale, extra_http_headers={"Accept-Language": f"{locale},{language};q=0.9"},
        )  # fmt: skip
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _login(phone: Callable[..., BrowserContext], live_server, world: dict, role: str, locale: str) -> Page:  # type: ignore[no-untyped-def]
    return agent_login(phone(locale), live_server.url, world[role].email)


def _fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen, every control big enough for a finger, axe satisfied."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width}px wide on a {PHONE['width']}px phone"
    small = page.evaluate(SMALL_TARGETS_JS, TARGET)
    assert not small, f"{page.url}: controls under {TARGET}x{TARGET} px:\n" + "\n".join(small)
    assert_accessible(page)


def _open_the_work_actions(page: Page) -> None:
    summaries = page.get_by_test_id("work-actions").locator("summary")
    assert summaries.count() >= 1
    for summary in summaries.all():
        summary.tap()
        expect(summary.locator("xpath=..")).to_have_attribute("open", "")


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            msgid: gettext(msgid)
            for msgid in ["Priority", "Customer", "Status", "Team", "Assignee", "Received", "Time left"]
        }


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ["agent", "boss"])
def test_the_lists_and_search_on_a_phone(live_server, world, phone, role, locale):
    base = live_server.url
    desk = _login(phone, live_server, world, role, locale)
    for path in ["/desk/", "/desk/triage/", "/desk/search/?q=facture", "/desk/?scope=all"]:  # all open last
        desk.goto(base + path)
        _fits_the_phone(desk)
        if path == "/desk/search/?q=facture":
            expect(desk.get_by_test_id("search-ticket").first).to_be_visible()
        if path == "/desk/triage/":
            expect(desk.get_by_test_id("triage-row").first).to_be_visible()

    # The views are folded: a one-line toggle before the list, opened and closed by a tap or a key.
    panel, toggle = desk.get_by_test_id("views-panel"), desk.get_by_test_id("views-toggle")
    views = desk.get_by_test_id("view-link")
    expect(toggle).to_be_visible()
    expect(views.first).to_be_hidden()
    assert panel.evaluate("d => d.open") is False
    folded = panel.bounding_box()
    assert folded is not None and folded["height"] <= 2 * TARGET, folded
    first_card = desk.get_by_test_id("queue-row").first.bounding_box()
    assert first_card is not None and first_card["y"] > folded["y"]
    toggle.tap()
    expect(views.first).to_be_visible()
    assert panel.evaluate("d => d.open") is True
    _fits_the_phone(desk)  # the open panel's links too
    toggle.focus()
    desk.keyboard.press("Enter")
    expect(views.first).to_be_hidden()

    # Cards: every value carries its column's name, in the page's language, as the header says.
    language = locale.split("-")[0]
    expected = _labels(language)
    cards = desk.evaluate(CARD_LABELS_JS, "tr[data-testid=queue-row]")
    assert len(cards) == 3, cards
    for cells in cards:
        shown = {cell["label"] for cell in cells}
        assert set(expected.values()) <= shown, (shown, expected)
        for cell in cells:
            assert cell["shown"] == f'"{cell["label"]}"' and cell["display"] != "none", cell
            assert cell["label"] == cell["header"], cell
    if language == "fr":
        assert expected["Priority"] != "Priority" and expected["Received"] != "Received"  # translated
    # The row's box is a tap target: its label ticks it.
    desk.locator("tr[data-testid=queue-row] label.tap").first.tap()
    expect(desk.locator("tr[data-testid=queue-row] input[type=checkbox]").first).to_be_checked()

    triage = desk.goto(base + "/desk/triage/")
    assert triage is not None and triage.ok
    cells = desk.evaluate(CARD_LABELS_JS, "tr[data-testid=triage-row]")[0]
    with translation.override(language):
        wanted = {gettext("Best guess"), gettext("Confidence"), gettext("Time left")}
    assert wanted <= {c["label"] for c in cells}, cells
    assert all(c["shown"] == f'"{c["label"]}"' and c["label"] == c["header"] for c in cells), cells


@pytest.mark.parametrize("locale", LOCALES)
def test_the_ticket_page_and_a_reply_on_a_phone(live_server, world, phone, locale):
    """The level-1 agent opens their ticket from its card, replies with taps; the supervisor adds a
    note. The customer's context comes after the conversation and the reply form."""
    base, ticket = live_server.url, world["ticket"]
    desk = _login(phone, live_server, world, "agent", locale)
    desk.get_by_test_id("queue-row").filter(has_text=ticket.reference).get_by_test_id("row-link").tap()
    expect(desk.get_by_test_id("reference")).to_have_text(ticket.reference)
    _fits_the_phone(desk)
    _open_the_work_actions(desk)
    _fits_the_phone(desk)  # escalate, merge, snooze: their forms too

    form = desk.get_by_test_id("message-form")
    conversation = desk.get_by_test_id("conversation").bounding_box()
    reply = form.bounding_box()
    aside = desk.locator("aside").bounding_box()
    assert conversation and reply and aside
    assert conversation["y"] < reply["y"] < aside["y"], (conversation, reply, aside)
    assert reply["x"] >= 0 and reply["x"] + reply["width"] <= PHONE["width"], reply

    # A note, then back to a public reply: the switch is tapped on its labels, the form stays fit.
    form.locator("label").filter(has=desk.get_by_test_id("mode-note")).tap()
    expect(desk.get_by_test_id("mode-note")).to_be_checked()
    _fits_the_phone(desk)
    form.locator("label").filter(has=desk.get_by_test_id("mode-public")).tap()
    expect(desk.get_by_test_id("mode-public")).to_be_checked()
    body = form.locator("textarea").first
    body.tap()
    body.fill("Bonjour, nous vérifions votre facture et revenons vers vous aujourd'hui.")
    desk.get_by_test_id("send").tap()
    expect(desk.locator(".msg-public").last).to_contain_text("nous vérifions votre facture")
    _fits_the_phone(desk)

    boss = _login(phone, live_server, world, "boss", locale)
    boss.goto(f"{base}/desk/tickets/{ticket.reference}/")
    _fits_the_phone(boss)  # the held reply's approval, the change form, every card of the aside
    _open_the_work_actions(boss)
    _fits_the_phone(boss)
    form = boss.get_by_test_id("message-form")
    form.locator("label").filter(has=boss.get_by_test_id("mode-note")).tap()
    form.locator("textarea").first.fill("Vérifier le relevé du compteur avant de répondre.")
    boss.get_by_test_id("send").tap()
    expect(boss.locator(".msg-internal").last).to_contain_text("relevé du compteur")
    _fits_the_phone(boss)


def test_the_wide_layout_keeps_the_views_open(live_server, world, phone):
    """On a wide screen the views stay a sidebar, open, beside the list; they fold when the window
    narrows to a phone's width and open again when it widens."""
    desk = agent_login(phone("en-CA", WIDE), live_server.url, world["agent"].email)
    desk.goto(live_server.url + "/desk/?scope=all")
    panel, views = desk.get_by_test_id("views-panel"), desk.get_by_test_id("view-link")
    expect(views.first).to_be_visible()
    assert panel.evaluate("d => d.open") is True
    side, table = panel.bounding_box(), desk.get_by_test_id("queue").bounding_box()
    assert side and table and side["x"] + side["width"] <= table["x"], (side, table)
    assert desk.locator("table.queue thead").bounding_box()["height"] > 1  # type: ignore[index]  # a table
    desk.set_viewport_size(PHONE)
    expect(views.first).to_be_hidden()
    desk.set_viewport_size(WIDE)
    expect(views.first).to_be_visible()


# --- The desk's other tables and its header menu on a phone ---------------------------------------
# Each secondary list (supervisor's pages included): its table's data-testid, its rows' selector,
# and one column header's msgid whose translated name its cards must show.
SECONDARY_TABLES = {
    "/desk/outbox/": ("deliveries", "Recipient"),
    "/desk/inbound/": ("inbound-failures", "Reason"),
    "/desk/kb/": ("kb-list", "Visibility"),
    "/desk/macros/": ("macro-list", "Actions when sent"),
    "/desk/categories/": ("categories", "Team"),
}

# Every data row of a table (not the "None" row, one cell spanning all columns): each cell with a
# value, whether it carries a label, the label as shown (its ::before content) and its header.
TABLE_CELLS_JS = """(testid) => {
  const table = document.querySelector(`table[data-testid="${testid}"]`);
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  return [...table.querySelectorAll(':scope > tbody > tr')]
    .filter(row => row.children.length === headers.length)
    .map(row => [...row.children].filter(td => td.innerText.trim() !== '').map(td => ({
      label: td.dataset.label ?? null,
      shown: getComputedStyle(td, '::before').content,
      header: headers[[...row.children].indexOf(td)],
      value: td.innerText.trim().slice(0, 40),
    })));
}"""


@pytest.fixture
def secondary_rows(world, make_ticket) -> None:
    """A row in each secondary list: a failed inbound message, an article, a macro, a category;
    the outbox holds the tickets' acknowledgments."""
    InboundRecord.objects.create(
        channel="email", dedupe_key="mobile-failed-1", status=InboundRecord.Status.FAILED,
        payload={"sender": "client.tres.long.adresse@exemple-de-domaine.test", "subject": "Facture"},
        error="Le message n’a pas pu être lu : en-têtes invalides (Content-Type manquant)",
    )  # fmt: skip
    Article.objects.create(title="Comprendre sa facture d’électricité", body="Texte.", language="fr")
    Macro.objects.create(name="Accusé de réception", body_fr="Bonjour, bien reçu.", set_status="pending")
    names = {"name_en": "Billing", "name_fr": "Facturation", "team": world["team"]}
    Category.objects.get_or_create(slug="facturation-mobile", defaults=names)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_other_tables_are_labelled_cards_on_a_phone(live_server, world, secondary_rows, phone, locale):
    """Outbox, inbound errors, knowledge base, macros, categories: at 390 px nothing is wider than
    the screen, every value of a row's card shows its column's name (the header's translated
    words), and axe is satisfied."""
    language = locale.split("-")[0]
    desk = _login(phone, live_server, world, "boss", locale)
    for path, (testid, msgid) in SECONDARY_TABLES.items():
        response = desk.goto(live_server.url + path)
        assert response is not None and response.ok, path
        _fits_the_phone(desk)
        rows = desk.evaluate(TABLE_CELLS_JS, testid)
        assert rows, f"{path}: no row to check"
        for cells in rows:
            for cell in cells:
                assert cell["label"] is not None, f"{path}: a value without its column's name: {cell}"
                assert cell["label"] == cell["header"], (path, cell)
                assert cell["shown"] == f'"{cell["label"]}"', (path, cell)
        with translation.override(language):
            wanted = gettext(msgid)
        assert wanted in {cell["label"] for cell in rows[0]}, (path, wanted, rows[0])
        if language == "fr":
            assert wanted != msgid, (path, wanted)  # the French words, not the English msgid


def _menu(desk: Page) -> tuple[Any, Any, Any]:
    return desk.get_by_test_id("nav-menu"), desk.get_by_test_id("nav-toggle"), desk.get_by_test_id("nav-kb")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_header_menu_folds_on_a_phone(live_server, world, phone, locale):
    """On a phone the header's links fold behind one "Menu" toggle (the search box stays out):
    the header is at most a few lines; a tap opens the menu and a link in it works; the keyboard
    reaches the toggle with Tab and opens and closes it with Enter and Space."""
    desk = _login(phone, live_server, world, "boss", locale)
    menu, toggle, kb_link = _menu(desk)
    with translation.override(locale.split("-")[0]):
        expect(toggle).to_have_text(gettext("Menu"))
    expect(toggle).to_be_visible()
    expect(kb_link).to_be_hidden()
    expect(desk.get_by_test_id("desk-search-q")).to_be_visible()
    assert menu.evaluate("d => d.open") is False
    header = desk.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 4 * TARGET, header
    _fits_the_phone(desk)

    toggle.tap()
    expect(kb_link).to_be_visible()
    assert menu.evaluate("d => d.open") is True
    _fits_the_phone(desk)  # the open menu's links too
    kb_link.tap()
    expect(desk).to_have_url(live_server.url + "/desk/kb/")

    # The keyboard: Tab from the top of the page reaches the toggle; Enter opens, Space closes.
    _, toggle, kb_link = _menu(desk)
    expect(kb_link).to_be_hidden()
    desk.locator("body").focus()
    for _ in range(12):
        desk.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the menu's toggle")
    desk.keyboard.press("Enter")
    expect(kb_link).to_be_visible()
    desk.keyboard.press("Tab")  # the menu's first link comes next
    assert desk.evaluate("() => document.activeElement.closest('.desk-menu') !== null")
    toggle.focus()
    desk.keyboard.press("Space")
    expect(kb_link).to_be_hidden()


def test_the_header_menu_is_open_on_a_wide_screen(live_server, world, phone):
    """On a wide screen the header's links show as before, without a toggle; they fold when the
    window narrows to a phone's width and show again when it widens."""
    desk = agent_login(phone("en-CA", WIDE), live_server.url, world["agent"].email)
    menu, toggle, kb_link = _menu(desk)
    expect(kb_link).to_be_visible()
    expect(toggle).to_be_hidden()
    assert menu.evaluate("d => d.open") is True
    header = desk.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 3 * TARGET, header  # not stacked
    assert_accessible(desk)
    desk.set_viewport_size(PHONE)
    expect(kb_link).to_be_hidden()
    expect(toggle).to_be_visible()
    desk.set_viewport_size(WIDE)
    expect(kb_link).to_be_visible()
