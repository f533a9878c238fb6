"""Each definition parses in a real ASL parser and is a well-formed graph."""

import json
import re

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

from tests.definitions import all_definitions

DEFINITIONS = all_definitions()


def walk(definition):
    """Every (states dict) scope: the top level and each Map's item processor."""
    yield definition["States"]
    for state in definition["States"].values():
        if "ItemProcessor" in state:
            yield from walk(state["ItemProcessor"])


def targets(state):
    found = [state.get("Next"), state.get("Default")]
    found += [c["Next"] for c in state.get("Choices", [])]
    found += [c["Next"] for c in state.get("Catch", [])]
    return {t for t in found if t}


@pytest.mark.parametrize("name", DEFINITIONS)
def test_the_step_functions_parser_accepts_the_definition(name):
    AmazonStateLanguageParser.parse(json.dumps(DEFINITIONS[name]))


def test_the_parser_is_strict_enough_to_reject_a_broken_definition():
    broken = json.loads(json.dumps(DEFINITIONS["tracker"]))
    broken["States"]["Read the connector event"]["Type"] = "Pas"
    with pytest.raises(ASLParserException):
        AmazonStateLanguageParser.parse(json.dumps(broken))


@pytest.mark.parametrize("name", DEFINITIONS)
def test_every_transition_lands_on_a_state_and_every_state_is_reachable(name):
    for states in walk(DEFINITIONS[name]):
        start = next(iter(states))
        for state_name, state in states.items():
            assert targets(state) <= set(states), f"{state_name} points outside its scope"
            terminal = state["Type"] in {"Succeed", "Fail", "Choice"}
            assert terminal or ("Next" in state) != bool(state.get("End")), f"{state_name} needs exactly one of Next/End"
        reachable, frontier = {start}, [start]
        while frontier:
            for target in targets(states[frontier.pop()]) - reachable:
                reachable.add(target)
                frontier.append(target)
        assert reachable == set(states), f"unreachable in {name}: {set(states) - reachable}"


@pytest.mark.parametrize("name", DEFINITIONS)
def test_state_machines_use_jsonata_and_no_lambda(name):
    text = json.dumps(DEFINITIONS[name])
    assert DEFINITIONS[name]["QueryLanguage"] == "JSONata"
    assert ":lambda:" not in text


def test_transfers_are_started_in_chunks_the_api_accepts():
    start = DEFINITIONS["launcher"]["States"]["Start the transfers"]
    assert "$partition($files, 10)" in start["Items"]
    inner = start["ItemProcessor"]["States"]["Start a transfer of up to ten files"]
    assert inner["Resource"].endswith("transfer:startFileTransfer")
    assert start["MaxConcurrency"] == 4
    assert any("Transfer.ThrottlingException" in r["ErrorEquals"] for r in inner["Retry"])


@pytest.mark.parametrize("name", DEFINITIONS)
def test_state_names_are_sentences_step_functions_accepts(name):
    # Step Functions refuses ? * : and other punctuation in names, and caps them at 80 characters.
    for states in walk(DEFINITIONS[name]):
        for state_name in states:
            assert re.fullmatch(r"[A-Z][A-Za-z0-9 -]{2,79}", state_name), state_name
