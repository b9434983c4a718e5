"""What the browser journeys share: logging in, checking a page fits a phone, and saving screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.utils import translation
from playwright.sync_api import Page, expect

CHROMIUM = Path(os.environ.get("GONGHUI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE_WIDTH = PHONE["viewport"]["width"]  # type: ignore[index]

# Lists the elements that stick out to the right of the viewport, so a failing fit check says what to fix.
OVERFLOW_REPORT_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0) {
      let hidden = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { hidden = true; break; }
      }
      const classes = el.className ? '.' + String(el.className).split(' ').join('.') : '';
      if (!hidden) out.push(el.tagName.toLowerCase() + classes + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 10);
}"""


def zh(message: str) -> str:
    """What the UI shows for an English msgid in Chinese (the default language), read from the catalogue."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def zh_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext(singular, plural, n) % {"n": n}


def assert_fits_phone(page: Page) -> None:
    """A page at phone width must not scroll sideways; wide tables scroll inside their own .table-wrap."""
    viewport = page.viewport_size
    if viewport is None or viewport["width"] > PHONE_WIDTH:
        return
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > PHONE_WIDTH:
        culprits = page.evaluate(OVERFLOW_REPORT_JS)
        raise AssertionError(
            f"{page.url} is {scroll_width}px wide on a {PHONE_WIDTH}px phone; sticking out: {culprits}"
        )


def snap(page: Page, name: str) -> None:
    """Check the fit on a phone, then save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    assert_fits_phone(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page: Page, mobile: str, password: str, next_url: str = "") -> None:
    """Log in through the portal's password form, as a person would."""
    page.goto("/login/" + (f"?next={next_url}" if next_url else ""))
    form = page.locator("#password-login")
    form.get_by_label(zh("Mobile number")).fill(mobile)
    form.get_by_label(zh("Password")).fill(password)
    form.get_by_role("button", name=zh("Log in")).click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    if next_url.startswith("/console"):
        # Administrators and reviewers confirm the login with the code their authenticator app shows.
        if "/me/2fa/verify/" in page.url:
            page.get_by_label(zh("Code"), exact=True).fill(current_totp(mobile))
            page.get_by_role("button", name=zh("Verify")).click()
        expect(page).not_to_have_url(re.compile(r"/me/2fa/"))


def current_totp(mobile: str) -> str:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from gonghui.accounts.models import User
    from gonghui.core.fields import blind_q

    user = User.objects.get(blind_q(User, "mobile", mobile))
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(
        device.digits
    )
