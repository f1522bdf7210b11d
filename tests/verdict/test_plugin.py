"""The verdict in pytest: `warn` reports and passes, `strict` fails readably, rules silence."""

from __future__ import annotations

import pytest

PIPELINE = '''
import pytest
from emulator import ItemFault

LINES = b"".join(
    b'{"custom_id": "r%d", "method": "POST", "url": "/v1/chat/completions", "body": '
    b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}\\n' % i
    for i in range(3))


def results(client):
    """Reads the output file only, like instructor, distilabel and autobatcher."""
    upload = client.files.create(file=("in.jsonl", LINES), purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                  completion_window="24h")
    batch = client.batches.retrieve(batch.id)
    return client.files.content(batch.output_file_id).text.splitlines()


@pytest.mark.batch_emulator(timing="immediate", MARKER)
def test_pipeline(batch_emulator, openai_client):
    batch_emulator.faults.add(ItemFault(custom_id="r1", status=400, message="too long"))
    assert len(results(openai_client)) == EXPECTED
'''


def write(pytester: pytest.Pytester, marker: str = "", expected: int = 2) -> None:
    pytester.makepyfile(
        test_pipeline=PIPELINE.replace("MARKER", marker).replace("EXPECTED", str(expected))
    )


def test_strict_fails_the_test_with_a_readable_message(pytester: pytest.Pytester) -> None:
    write(pytester, 'verdict="strict"')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*batch_emulator verdict (strict):",
            "*[[]error_file_unread[]] batch_* (openai): 1 request(s) of this completed batch "
            "failed, and their lines are only in the error file file-*, which was never "
            "downloaded: read error_file_id as well as output_file_id",
            "*GET /v1/batches/batch_* -> 200 [[]completed[]]",
            "*GET /v1/files/file-*/content -> 200",
            "*Silence a rule with @pytest.mark.batch_emulator(verdict_ignore=*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_warn_is_the_default_it_reports_and_passes(pytester: pytest.Pytester) -> None:
    write(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*test_pipeline.py:*: BatchVerdictWarning: batch_emulator verdict:", "*error_file_unread*"]
    )


def test_ini_strict_and_a_rule_silenced_by_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatch_emulator_verdict = strict\n")
    write(pytester, 'verdict_ignore=["error_file_unread"]')
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_rule_silenced_in_the_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nbatch_emulator_verdict = strict\n"
        "batch_emulator_verdict_ignore = poll_too_fast error_file_unread\n"
    )
    write(pytester)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_off_says_nothing(pytester: pytest.Pytester) -> None:
    write(pytester, 'verdict="off"')
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, warnings=0)


def test_an_unknown_rule_fails_naming_the_rules(pytester: pytest.Pytester) -> None:
    write(pytester, 'verdict_ignore=["error_file_unred"]')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*verdict_ignore: unknown verdict rule(s) 'error_file_unred'; rules: error_file_unread,*"]
    )


def test_an_unknown_mode_fails(pytester: pytest.Pytester) -> None:
    write(pytester, 'verdict="loud"')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*verdict must be one of off, warn, strict, not 'loud'*"])


def test_a_failing_test_gets_no_verdict_on_top(pytester: pytest.Pytester) -> None:
    write(pytester, 'verdict="strict"', expected=3)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert "error_file_unread" not in result.stdout.str()
