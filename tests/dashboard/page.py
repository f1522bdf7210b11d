"""A thin driver for the dashboard page: find, click, type, and wait (bounded) for what it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.dashboard.conftest import WAIT

T = TypeVar("T")


class Page:
    def __init__(self, driver: Any, base: str, query: str = "") -> None:
        self.driver = driver
        self.url = f"{base}/_emulator/{query}"

    def open(self) -> Page:
        self.driver.get(self.url)
        self.wait(lambda: self.ticks() >= 1, "the first refresh")
        return self

    def wait(self, condition: Callable[[], T], what: str, timeout: float = WAIT) -> T:
        def probe(_: Any) -> T | None:
            try:
                return condition() or None
            except StaleElementReferenceException:  # the page re-rendered under us: try again
                return None

        waiter = WebDriverWait(self.driver, timeout, poll_frequency=0.1)
        result: T = waiter.until(probe, f"page never showed {what}")
        return result

    def ticks(self) -> int:
        return int(self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-ticks"))

    def after_refreshes(self, n: int) -> None:
        """Wait until the page has polled `n` more times (its loop runs every second)."""
        start = self.ticks()
        self.wait(lambda: self.ticks() >= start + n, f"{n} more refreshes", WAIT + n)

    def find(self, css: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        return str(self.find(css).text)

    def click(self, css: str) -> None:
        self.find(css).click()

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def choose(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)

    def row(self, batch_id: str) -> Any:
        return self.find(f'#batches tbody tr[data-id="{batch_id}"]')

    def state_of(self, batch_id: str) -> str:
        rows = self.all(f'#batches tbody tr[data-id="{batch_id}"] .state')
        return str(rows[0].text) if rows else ""

    def wait_state(self, batch_id: str, state: str) -> None:
        self.wait(lambda: self.state_of(batch_id) == state, f"{batch_id} {state}")

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)
