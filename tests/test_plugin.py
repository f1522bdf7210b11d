"""The pytest plugin, run from the outside with `pytester`: each case is a small test suite."""

from __future__ import annotations

import textwrap

import pytest

SUBMIT = '''
import json

import pytest


@pytest.fixture
def submit(openai_client):
    """Upload a one-line chat JSONL and create a batch from it."""

    def run(**kwargs):
        line = json.dumps({"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
                           "body": {"model": "gpt-4o-mini", "messages": []}})
        upload = openai_client.files.create(file=("in.jsonl", line.encode()), purpose="batch")
        return openai_client.batches.create(input_file_id=upload.id,
                                            endpoint="/v1/chat/completions",
                                            completion_window="24h", **kwargs)

    return run
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(SUBMIT)
    return pytester


def test_nothing_leaks_between_tests(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import time

        from emulator import HttpFault

        IDS = []

        def test_a_dirties_everything(batch_emulator, openai_client, submit):
            batch = submit()
            IDS.append((batch.input_file_id, batch.id))
            batch_emulator.configure(seed=99, max_batch_requests=7)
            batch_emulator.add_fault(HttpFault(status=503, operation="batches.list"))
            batch_emulator.advance(hours=3)
            assert batch_emulator.requests and batch_emulator.batches

        def test_b_starts_clean(batch_emulator, openai_client, submit):
            assert batch_emulator.requests == [] and batch_emulator.batches == []
            assert openai_client.files.list().data == []
            # An unbounded 503 on batches.list in test_a: this call would fail if it survived.
            assert openai_client.with_options(max_retries=0).batches.list().data == []
            assert (batch_emulator.config.seed, batch_emulator.config.max_batch_requests) == (
                0, 50_000)
            assert abs(batch_emulator.now() - time.time()) < 60  # the 3 h advance is undone
            batch = submit()  # ids are per test: never another test's (real ids never repeat)
            assert batch.input_file_id not in IDS[0] and batch.id not in IDS[0]
        """
    )
    suite.runpytest().assert_outcomes(passed=2)


def test_a_tests_ids_do_not_depend_on_what_ran_before(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids derive from (seed, test node id): the same in every run, whatever ran first."""
    suite.makepyfile(
        """
        import os

        def test_one(submit):
            submit()
            submit()

        def test_two(submit):
            batch = submit()
            with open(os.environ["IDS_OUT"], "a") as out:
                out.write(f"{batch.input_file_id} {batch.id}\\n")
        """
    )
    out = suite.path / "ids.txt"
    monkeypatch.setenv("IDS_OUT", str(out))
    suite.runpytest().assert_outcomes(passed=2)
    suite.runpytest("-k", "test_two").assert_outcomes(passed=1, deselected=1)
    first, alone = out.read_text().splitlines()
    assert first == alone


def test_markers_merge_closest_first(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.batch_emulator(seed=3, timing="manual", shuffle_results=True)

        @pytest.mark.batch_emulator(seed=4)
        class TestMerge:
            @pytest.mark.batch_emulator(timing="immediate")
            def test_closest_wins(self, batch_emulator, openai_client, submit):
                config = batch_emulator.config
                assert (config.seed, config.timing.policy, config.shuffle_results) == (
                    4, "immediate", True)
                batch = submit()
                assert openai_client.batches.retrieve(batch.id).status == "completed"

        def test_module_level(batch_emulator):
            assert (batch_emulator.config.seed, batch_emulator.config.timing.policy) == (
                3, "manual")

        def test_unmarked_in_a_marked_module_sees_module_marker(batch_emulator):
            assert batch_emulator.config.shuffle_results is True
        """
    )
    suite.runpytest().assert_outcomes(passed=3)


def test_a_typo_in_the_marker_names_the_valid_options(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest

        @pytest.mark.batch_emulator(timeing="manual")
        def test_typo(batch_emulator):
            pass

        @pytest.mark.batch_emulator(timing="polls:zero")
        def test_bad_value(batch_emulator):
            pass
        """
    )
    result = suite.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.batch_emulator: timeing: Extra inputs are not permitted"
            " (valid options: *seed*timing*)*check_faults*",
        ]
    )
    result.stdout.fnmatch_lines(["*@pytest.mark.batch_emulator: *polls:zero*"])
    assert "During handling" not in result.stdout.str()  # one clean message, no chain


def test_marker_only_tests_get_the_fixture(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import httpx
        import pytest

        @pytest.mark.batch_emulator(seed=42)
        def test_marker_only(request):
            handle = request.getfixturevalue("batch_emulator")
            assert "batch_emulator" in request.fixturenames
            assert handle.config.seed == 42
        """
    )
    suite.runpytest().assert_outcomes(passed=1)


def test_ini_and_command_line_options(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nbatch_emulator_timing = manual\nbatch_emulator_seed = 11\n")
    suite.makepyfile(
        """
        import pytest

        def test_defaults(batch_emulator, request):
            timing = batch_emulator.config.timing
            want = request.config.getoption("--batch-emulator-timing") or "manual"
            assert (timing.policy, batch_emulator.config.seed) == (want.split(":")[0], 11)

        @pytest.mark.batch_emulator(timing="immediate")
        def test_marker_beats_both(batch_emulator):
            assert batch_emulator.config.timing.policy == "immediate"
        """
    )
    suite.runpytest().assert_outcomes(passed=2)
    suite.runpytest("--batch-emulator-timing", "polls:2").assert_outcomes(passed=2)
    result = suite.runpytest("--batch-emulator-seed", "5")
    result.assert_outcomes(failed=1, passed=1)  # the command line beat the ini seed of 11
    result.stdout.fnmatch_lines(["*assert ('manual', 5) == ('manual', 11)*"])


def test_bad_suite_options_are_a_usage_error(suite: pytest.Pytester) -> None:
    suite.makepyfile("def test_nothing(): pass")
    result = suite.runpytest("--batch-emulator-timing", "sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*batch_emulator options: *unknown timing 'sometimes'*"])


def test_two_xdist_workers_get_two_servers(suite: pytest.Pytester) -> None:
    out = suite.path / "urls"
    out.mkdir()
    suite.makepyfile(
        f"""
        import os
        import pathlib

        def test_record_url(batch_emulator, openai_client):
            openai_client.batches.list()  # the server answers
            worker = os.environ["PYTEST_XDIST_WORKER"]
            pathlib.Path({str(out)!r}, worker).write_text(batch_emulator.url)
        """
    )
    result = suite.runpytest_subprocess("-n", "2", "--dist", "each", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    urls = sorted(p.read_text() for p in out.iterdir())
    assert len(urls) == 2
    ports = {url.rsplit(":", 1)[1] for url in urls}
    assert len(ports) == 2, urls
    assert all(url.startswith("http://127.0.0.1:") for url in urls)


FAULTS = """
import openai
import pytest
from emulator import HttpFault

def add(batch_emulator, **kwargs):
    batch_emulator.add_fault(HttpFault(status=503, operation="batches.list", times=1, **kwargs))

def test_unused_fault(batch_emulator):
    add(batch_emulator)

def test_used_fault(batch_emulator, openai_client):
    add(batch_emulator)
    with pytest.raises(openai.InternalServerError):
        openai_client.with_options(max_retries=0).batches.list()

def test_optional_fault(batch_emulator):
    add(batch_emulator, optional=True)

@pytest.mark.batch_emulator(check_faults=False)
def test_opted_out(batch_emulator):
    add(batch_emulator)

def test_failing_test_reports_only_its_failure(batch_emulator):
    add(batch_emulator)
    assert False, "the test's own failure"
"""


def test_unconsumed_bounded_faults_fail_the_test(suite: pytest.Pytester) -> None:
    suite.makepyfile(FAULTS)
    result = suite.runpytest()
    result.assert_outcomes(passed=4, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unused_fault*",
            "*batch_emulator: fault(s) fault_1 set up with `times=` were not used up*",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED *::test_failing_test_reports_only_its_failure*"])
    assert result.stdout.str().count("ERROR at teardown") == 1


def test_fault_check_can_be_turned_off_in_ini(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nbatch_emulator_check_faults = false\n")
    suite.makepyfile(FAULTS)
    suite.runpytest().assert_outcomes(passed=4, failed=1)


def test_env_fixture_points_self_built_clients_at_the_emulator(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import os
        import anthropic
        import openai
        from google import genai

        def build_clients():  # what code under test does: no arguments, env only
            return openai.OpenAI(), anthropic.Anthropic(), genai.Client()

        def test_env(batch_emulator_env):
            oa, an, ge = build_clients()
            assert str(oa.base_url) == batch_emulator_env.openai_base_url + "/"
            assert str(an.base_url).rstrip("/") == batch_emulator_env.anthropic_base_url
            assert oa.batches.list().data == []
            assert os.environ["GEMINI_API_KEY"] == os.environ["GOOGLE_API_KEY"]
            assert ge._api_client._http_options.base_url.rstrip("/") == batch_emulator_env.url

        def test_env_is_undone():
            assert os.environ.get("OPENAI_BASE_URL") != "set by the test"
            assert "127.0.0.1" not in os.environ.get("OPENAI_BASE_URL", "")
        """
    )
    suite.runpytest().assert_outcomes(passed=2)


def test_env_ini_option_applies_to_the_plain_fixture(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nbatch_emulator_env = true\n")
    suite.makepyfile(
        """
        import os

        def test_env(batch_emulator):
            assert os.environ["OPENAI_BASE_URL"] == batch_emulator.openai_base_url
            assert os.environ["ANTHROPIC_BASE_URL"] == batch_emulator.url
            assert os.environ["GOOGLE_GEMINI_BASE_URL"] == batch_emulator.url
        """
    )
    suite.runpytest().assert_outcomes(passed=1)


def test_client_fixtures_reach_the_fixture_server(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        textwrap.dedent(
            """
            import asyncio

            def test_clients(batch_emulator, openai_client, async_openai_client,
                             anthropic_client, async_anthropic_client, gemini_client):
                assert str(openai_client.base_url) == batch_emulator.openai_base_url + "/"
                assert str(async_openai_client.base_url) == batch_emulator.openai_base_url + "/"
                for client in (anthropic_client, async_anthropic_client):
                    assert str(client.base_url).rstrip("/") == batch_emulator.url
                async def first_page():
                    return await async_openai_client.batches.list()

                assert asyncio.run(first_page()).data == []
                paths = [entry.path for entry in batch_emulator.requests]
                assert paths == ["/v1/batches"]
            """
        )
    )
    suite.runpytest().assert_outcomes(passed=1)
