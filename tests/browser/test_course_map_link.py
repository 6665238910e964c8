"""The "Course map" link at the end of a lesson lands on the map, not on the README's top."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.lab_page import open_in_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "notebooks/00-welcome-and-setup.ipynb"


def test_the_course_map_link_opens_the_readme_at_the_map(browser: Browser, lab: str) -> None:
    with open_in_lab(browser, lab, LESSON) as page:
        link = page.locator(".jp-RenderedMarkdown a", has_text="Course map").last
        link.scroll_into_view_if_needed()
        link.click()
        readme = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden) .jp-RenderedMarkdown")
        heading = readme.locator("h2", has_text="Course map")
        expect(heading).to_be_visible()
        # JupyterLab scrolls the heading to the top of the README's panel.
        panel_top = readme.evaluate(
            "node => node.closest('.jp-MainAreaWidget').getBoundingClientRect().top"
        )
        top = heading.evaluate("node => node.getBoundingClientRect().top")
        assert top - panel_top < 120, f"the map's heading is {top - panel_top:.0f} px down"
