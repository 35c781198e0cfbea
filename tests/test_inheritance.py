"""Management policy syntax (P8) and inheritance (E4–E7): `handlers/organizations/inheritance`
and `management_syntax`.

Each rule's test names it; DECIDED behaviour is tested as decided. Documents are written as
JSON text, as a caller sends them, and results compared as `render`'s exact text.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generated.organizations.shapes import EffectivePolicyType
from handlers.organizations.inheritance import (
    TOP_LEVEL_KEY,
    management_problem,
    merge,
    render,
)
from handlers.organizations.management_syntax import (
    ALL_OPERATORS,
    CHILD_CONTROL,
    MANAGEMENT_TYPES,
    MAX_DEPTH,
)

Document = dict[str, Any]


def doc(text: str) -> Document:
    parsed: Document = json.loads(text)
    return parsed


def effective(*levels: list[Document]) -> str:
    """The rendered effective document of `levels` (root first)."""
    return render(merge(levels))


def tags(text: str) -> Document:
    """A TAG_POLICY document: `text` is the object under "tags"."""
    return doc('{"tags":' + text + "}")


# --- E9: the worked example -------------------------------------------------------------

A = doc("""{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},
                         "tag_value":{"@@assign":["Development","Support"]}}}}""")
C = doc(
    """{"tags":{"costcenter":{"tag_value":{"@@append":["Marketing"]},
                         "enforced_for":{"@@append":["redshift:*","dynamodb:table"]}}}}"""
)
D = doc(
    """{"tags":{"costcenter":{"tag_value":{"@@remove":["Development","Marketing"]},
                         "enforced_for":{"@@remove":["redshift:*","dynamodb:table"]}}}}"""
)
A_VARIANT_1 = doc("""{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},
    "tag_value":{"@@assign":["Development","Support"],
                 "@@operators_allowed_for_child_policies":["@@append"]}}}}""")
B_VARIANT_2 = doc('{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"}}}}')

RESULT_888 = (
    '{"tags":{"costcenter":{"tag_key":"CostCenter",'
    '"tag_value":["Development","Support","Marketing"],'
    '"enforced_for":["redshift:*","dynamodb:table"]}}}'
)
RESULT_999 = '{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Support"]}}}'


def test_e9_documents_are_valid_tag_policies() -> None:
    for document in (A, C, D, A_VARIANT_1, B_VARIANT_2):
        assert management_problem("TAG_POLICY", document) is None


def test_e9_worked_example() -> None:
    # Levels: root r-ab12 (A), OU ou-ab12-ou2ou2ou (C), the account (D for 999999999999).
    assert effective([A], [C], []) == RESULT_888
    assert effective([A], [C], [D]) == RESULT_999


def test_e9_variant_1_append_only_ignores_the_accounts_remove() -> None:
    assert effective([A_VARIANT_1], [C], []) == RESULT_888
    assert effective([A_VARIANT_1], [C], [D]) == (
        '{"tags":{"costcenter":{"tag_key":"CostCenter",'
        '"tag_value":["Development","Support","Marketing"]}}}'
    )


def test_e9_variant_2_first_root_policy_keeps_its_tag_key() -> None:
    assert effective([A, B_VARIANT_2], [C], []) == RESULT_888
    assert effective([A, B_VARIANT_2], [C], [D]) == RESULT_999


# --- E4: order of merging ----------------------------------------------------------------


def test_e4_levels_merge_from_the_root_down() -> None:
    root = tags('{"k":{"v":{"@@assign":"root"}}}')
    ou = tags('{"k":{"v":{"@@assign":"ou"}}}')
    account = tags('{"k":{"v":{"@@append":["account"]}}}')
    assert effective([root], [ou], [account]) == '{"tags":{"k":{"v":["ou","account"]}}}'
    assert (
        effective([ou], [root], [account]) == '{"tags":{"k":{"v":["root","account"]}}}'
    )


def test_e4_policies_of_one_level_in_attachment_order() -> None:
    first = tags('{"k":{"v":{"@@append":["first"]}}}')
    second = tags('{"k":{"v":{"@@append":["second"]}}}')
    assert effective([first, second]) == '{"tags":{"k":{"v":["first","second"]}}}'
    assert effective([second, first]) == '{"tags":{"k":{"v":["second","first"]}}}'


def test_e4_no_levels_or_no_policies_give_nothing() -> None:
    assert merge([]) == {}
    assert merge([[], [], []]) == {}
    assert render({}) == "{}"


# --- E5: value-setting operators ---------------------------------------------------------


def test_e5_assign_replaces_a_scalar() -> None:
    root = tags('{"k":{"v":{"@@assign":"old"}}}')
    ou = tags('{"k":{"v":{"@@assign":"new"}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":"new"}}}'


def test_e5_assign_replaces_an_array() -> None:
    root = tags('{"k":{"v":{"@@assign":["a","b"]}}}')
    ou = tags('{"k":{"v":{"@@assign":["c"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["c"]}}}'


def test_e5_assign_turns_an_array_into_a_scalar_and_back() -> None:
    root = tags('{"k":{"v":{"@@assign":["a","b"]}}}')
    ou = tags('{"k":{"v":{"@@assign":"c"}}}')
    account = tags('{"k":{"v":{"@@assign":["d"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":"c"}}}'
    assert effective([root], [ou], [account]) == '{"tags":{"k":{"v":["d"]}}}'


def test_e5_lower_level_overwrites_higher() -> None:
    assert effective([A], [], [B_VARIANT_2]) == (
        '{"tags":{"costcenter":{"tag_key":"costcenter",'
        '"tag_value":["Development","Support"]}}}'
    )


def test_e5_assign_first_in_level_wins() -> None:
    j = tags(
        '{"project":{"tag_key":{"@@assign":"PROJECT"},"tag_value":{"@@append":["M"]}}}'
    )
    k = tags('{"project":{"tag_key":{"@@assign":"project"}}}')
    assert (
        effective([j, k])
        == '{"tags":{"project":{"tag_key":"PROJECT","tag_value":["M"]}}}'
    )
    assert (
        effective([k, j])
        == '{"tags":{"project":{"tag_key":"project","tag_value":["M"]}}}'
    )


def test_e5_first_in_level_is_per_level() -> None:
    """The winner of the root level is still overwritten by the first assign below."""
    first, second = (tags('{"k":{"v":{"@@assign":"%s"}}}' % name) for name in "12")
    lower1, lower2 = (tags('{"k":{"v":{"@@assign":"%s"}}}' % name) for name in "34")
    assert effective([first, second], [lower1, lower2]) == '{"tags":{"k":{"v":"3"}}}'


def test_e5_later_assign_in_level_ignored_but_its_append_applies() -> None:
    first = tags('{"k":{"v":{"@@assign":["a"]}}}')
    second = tags('{"k":{"v":{"@@assign":["b"],"@@append":["c"]}}}')
    assert effective([first, second]) == '{"tags":{"k":{"v":["a","c"]}}}'


def test_e5_assign_after_an_append_in_the_same_level_replaces_it() -> None:
    """DECIDED (E4's order, taken literally): the append came first, the level's first
    assign of the path comes after it and replaces the setting."""
    appending = tags('{"k":{"v":{"@@append":["a"]}}}')
    assigning = tags('{"k":{"v":{"@@assign":["b"]}}}')
    assert effective([appending, assigning]) == '{"tags":{"k":{"v":["b"]}}}'


def test_e5_append_adds_missing_values_in_order() -> None:
    root = tags('{"k":{"v":{"@@assign":["a","b"]}}}')
    ou = tags('{"k":{"v":{"@@append":["c","a","d","c"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["a","b","c","d"]}}}'


def test_e5_append_creates_an_absent_setting() -> None:
    ou = tags('{"k":{"v":{"@@append":["x","x"]}}}')
    assert effective([], [ou]) == '{"tags":{"k":{"v":["x"]}}}'


def test_e5_append_turns_a_scalar_into_an_array() -> None:
    root = tags('{"k":{"v":{"@@assign":"a"}}}')
    ou = tags('{"k":{"v":{"@@append":["b"]}}}')
    already = tags('{"k":{"v":{"@@append":["a"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["a","b"]}}}'
    assert effective([root], [already]) == '{"tags":{"k":{"v":["a"]}}}'


def test_e5_remove_deletes_listed_values() -> None:
    root = tags('{"k":{"v":{"@@assign":["a","b","c"]}}}')
    ou = tags('{"k":{"v":{"@@remove":["b","z"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["a","c"]}}}'


def test_e5_remove_leaving_a_setting_empty_drops_it() -> None:
    root = tags('{"k":{"v":{"@@assign":["a"]},"w":{"@@assign":"keep"}}}')
    ou = tags('{"k":{"v":{"@@remove":["a"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"w":"keep"}}}'


def test_e5_remove_of_an_absent_setting_does_nothing() -> None:
    ou = tags('{"k":{"v":{"@@remove":["a"]}}}')
    assert merge([[], [ou]]) == {}


def test_e5_remove_of_a_scalar() -> None:
    """DECIDED: a scalar equal to a listed value goes; any other scalar stays."""
    root = tags('{"k":{"v":{"@@assign":"a"}}}')
    assert merge([[root], [tags('{"k":{"v":{"@@remove":["a"]}}}')]]) == {}
    other = tags('{"k":{"v":{"@@remove":["b"]}}}')
    assert effective([root], [other]) == '{"tags":{"k":{"v":"a"}}}'


def test_e5_operators_of_one_element_apply_assign_append_remove() -> None:
    """DECIDED: whatever their order in the object."""
    for text in (
        '{"k":{"v":{"@@remove":["b"],"@@append":["b","c"],"@@assign":["a"]}}}',
        '{"k":{"v":{"@@assign":["a"],"@@append":["b","c"],"@@remove":["b"]}}}',
    ):
        assert effective([tags(text)]) == '{"tags":{"k":{"v":["a","c"]}}}'


def test_e5_assign_duplicates_keep_their_first_place() -> None:
    """DECIDED: a multi-valued setting holds each value once."""
    root = tags('{"k":{"v":{"@@assign":["b","a","b"]}}}')
    assert effective([root]) == '{"tags":{"k":{"v":["b","a"]}}}'


def test_e5_assign_of_an_empty_array_clears_the_setting() -> None:
    root = tags('{"k":{"v":{"@@assign":["a"]}}}')
    assert merge([[root], [tags('{"k":{"v":{"@@assign":[]}}}')]]) == {}


def test_e5_values_equal_by_json_kind_and_value() -> None:
    """DECIDED: 1 and 1.0 are one number; true is not 1, "1" is not 1."""
    root = tags('{"k":{"v":{"@@assign":[1,true,"1"]}}}')
    ou = tags('{"k":{"v":{"@@append":[1.0,1,false,2.5],"@@remove":[true]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":[1,"1",false,2.5]}}}'


# --- E6: child control -------------------------------------------------------------------


def test_e6_all_is_the_default() -> None:
    root = tags('{"k":{"v":{"@@assign":["a","b"],"%s":["@@all"]}}}' % CHILD_CONTROL)
    ou = tags('{"k":{"v":{"@@remove":["a"],"@@append":["c"]}}}')
    assert effective([root], [ou]) == effective(
        [tags('{"k":{"v":{"@@assign":["a","b"]}}}')], [ou]
    )
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["b","c"]}}}'


def test_e6_none_forbids() -> None:
    root = tags('{"k":{"v":{"@@assign":["a"],"%s":["@@none"]}}}' % CHILD_CONTROL)
    for text in ('{"@@assign":["x"]}', '{"@@append":["x"]}', '{"@@remove":["a"]}'):
        ou = tags('{"k":{"v":%s}}' % text)
        assert effective([root], [ou]) == '{"tags":{"k":{"v":["a"]}}}'


def test_e6_disallowed_operator_leaves_the_inherited_value() -> None:
    """UG example 4: assign refused where only append is allowed; the append applies."""
    e = tags(
        """{"project":{
        "tag_key":{"%s":["@@none"],"@@assign":"Project"},
        "tag_value":{"%s":["@@append"],"@@assign":["Maintenance","Escalations"]}}}"""
        % (CHILD_CONTROL, CHILD_CONTROL)
    )
    f = tags("""{"project":{"tag_key":{"@@assign":"PROJECT"},
        "tag_value":{"@@append":["Escalations - research"],"@@assign":["x"]}}}""")
    assert effective([e], [f]) == (
        '{"tags":{"project":{"tag_key":"Project",'
        '"tag_value":["Maintenance","Escalations","Escalations - research"]}}}'
    )


def test_e6_limits_apply_beneath_the_element() -> None:
    root = tags('{"%s":["@@append"],"k":{"v":{"@@assign":["a"]}}}' % CHILD_CONTROL)
    ou = tags('{"k":{"v":{"@@assign":["b"],"@@append":["c"]},"new":{"@@assign":"n"}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["a","c"]}}}'


def test_e6_none_on_an_element_forbids_new_keys_beneath() -> None:
    """The AI opt-out pattern: nothing can be added under a locked element."""
    root = doc(
        '{"services":{"%s":["@@none"],"default":{"opt_out_policy":{"@@assign":"optOut"}}}}'
        % CHILD_CONTROL
    )
    ou = doc('{"services":{"rekognition":{"opt_out_policy":{"@@assign":"optIn"}}}}')
    assert (
        effective([root], [ou])
        == '{"services":{"default":{"opt_out_policy":"optOut"}}}'
    )


def test_e6_limits_do_not_reach_siblings() -> None:
    root = tags(
        '{"k":{"v":{"@@assign":["a"],"%s":["@@none"]},"w":{"@@assign":["a"]}}}'
        % CHILD_CONTROL
    )
    ou = tags('{"k":{"v":{"@@assign":["b"]},"w":{"@@assign":["b"]}}}')
    assert effective([root], [ou]) == '{"tags":{"k":{"v":["a"],"w":["b"]}}}'


def test_e6_same_level_controls_intersect() -> None:
    """UG example 5: append-only and append+remove at the root leave append only."""
    g = tags(
        '{"project":{"tag_value":{"%s":["@@append"],"@@assign":["Maintenance"]}}}'
        % CHILD_CONTROL
    )
    h = tags('{"project":{"tag_value":{"%s":["@@append","@@remove"]}}}' % CHILD_CONTROL)
    ou = tags('{"project":{"tag_value":{"@@remove":["Maintenance"],"@@append":["R"]}}}')
    expected = '{"tags":{"project":{"tag_value":["Maintenance","R"]}}}'
    assert effective([g, h], [ou]) == expected
    assert effective([h, g], [ou]) == expected


def test_e6_disjoint_same_level_controls_forbid_everything() -> None:
    first = tags('{"k":{"v":{"%s":["@@append"],"@@assign":["a"]}}}' % CHILD_CONTROL)
    second = tags('{"k":{"v":{"%s":["@@remove"]}}}' % CHILD_CONTROL)
    ou = tags('{"k":{"v":{"@@remove":["a"],"@@append":["b"],"@@assign":["c"]}}}')
    assert effective([first, second], [ou]) == '{"tags":{"k":{"v":["a"]}}}'


def test_e6_same_level_policies_never_restrict_each_other() -> None:
    locking = tags('{"k":{"v":{"%s":["@@none"],"@@assign":["a"]}}}' % CHILD_CONTROL)
    sibling = tags('{"k":{"v":{"@@append":["b"]},"w":{"@@assign":"x"}}}')
    assert effective([locking, sibling]) == '{"tags":{"k":{"v":["a","b"],"w":"x"}}}'


def test_e6_limits_only_narrow_going_down() -> None:
    root = tags('{"k":{"v":{"%s":["@@append"],"@@assign":["a"]}}}' % CHILD_CONTROL)
    ou = tags('{"k":{"v":{"%s":["@@all"],"@@append":["b"]}}}' % CHILD_CONTROL)
    account = tags('{"k":{"v":{"@@assign":["c"],"@@remove":["a"]}}}')
    assert effective([root], [ou], [account]) == '{"tags":{"k":{"v":["a","b"]}}}'


def test_e6_a_middle_level_narrows_further() -> None:
    root = tags(
        '{"k":{"v":{"%s":["@@append","@@remove"],"@@assign":["a"]}}}' % CHILD_CONTROL
    )
    ou = tags('{"k":{"%s":["@@remove"],"v":{"@@append":["b"]}}}' % CHILD_CONTROL)
    account = tags('{"k":{"v":{"@@append":["c"],"@@remove":["a"]}}}')
    assert effective([root], [ou], [account]) == '{"tags":{"k":{"v":["b"]}}}'


def test_e6_limits_hold_at_every_lower_level() -> None:
    root = tags('{"k":{"v":{"%s":["@@none"],"@@assign":"a"}}}' % CHILD_CONTROL)
    lower = tags('{"k":{"v":{"@@assign":"b"}}}')
    assert (
        effective([root], [], [lower], [lower], [lower]) == '{"tags":{"k":{"v":"a"}}}'
    )


def test_e6_a_control_alone_sets_nothing() -> None:
    control = tags('{"k":{"v":{"%s":["@@none"]}}}' % CHILD_CONTROL)
    assert merge([[control]]) == {}
    below = tags('{"k":{"v":{"@@assign":"b"}}}')
    assert merge([[control], [below]]) == {}


# --- E7: output -------------------------------------------------------------------------


def test_e7_operators_removed_and_values_inlined() -> None:
    root = tags(
        '{"k":{"%s":["@@all"],"v":{"@@assign":"a","%s":["@@assign"]}}}'
        % (CHILD_CONTROL, CHILD_CONTROL)
    )
    assert merge([[root]]) == {"tags": {"k": {"v": "a"}}}


def test_e7_keys_in_order_of_first_appearance() -> None:
    root = tags('{"b":{"v":{"@@assign":1}},"a":{"v":{"@@assign":1}}}')
    ou = tags('{"c":{"v":{"@@assign":1}},"a":{"w":{"@@assign":2},"v":{"@@assign":3}}}')
    assert effective([root], [ou]) == (
        '{"tags":{"b":{"v":1},"a":{"v":3,"w":2},"c":{"v":1}}}'
    )


def test_e7_a_removed_setting_keeps_its_place_when_it_returns() -> None:
    """A path appears once: re-appending after a remove puts it back where it was."""
    root = tags('{"k":{"a":{"@@assign":["x"]},"b":{"@@assign":"y"}}}')
    ou = tags('{"k":{"a":{"@@remove":["x"]}}}')
    account = tags('{"k":{"a":{"@@append":["z"]}}}')
    assert effective([root], [ou], [account]) == '{"tags":{"k":{"a":["z"],"b":"y"}}}'


def test_e7_empty_elements_omitted() -> None:
    root = tags('{"k":{"v":{"@@assign":["a"]}},"empty":{},"deep":{"er":{}}}')
    ou = tags('{"k":{"v":{"@@remove":["a"]}}}')
    assert merge([[root], [ou]]) == {}
    assert effective([root]) == '{"tags":{"k":{"v":["a"]}}}'


def test_e7_render_is_compact_and_keeps_non_ascii() -> None:
    """DECIDED: non-ASCII text stays as itself, not as escapes."""
    root = doc('{"services":{"übung":{"v":{"@@assign":["café","日本", "x\\"y"]}}}}')
    text = render(merge([[root]]))
    assert text == '{"services":{"übung":{"v":["café","日本","x\\"y"]}}}'
    assert json.loads(text) == merge([[root]])


def test_e7_kind_of_a_path_is_fixed_by_its_first_policy() -> None:
    """DECIDED: a setting never becomes an element with children, nor the reverse."""
    setting = tags('{"k":{"@@assign":"x"}}')
    element = tags('{"k":{"v":{"@@assign":"y"}}}')
    assert effective([setting], [element]) == '{"tags":{"k":"x"}}'
    assert effective([element], [setting]) == '{"tags":{"k":{"v":"y"}}}'
    assert effective([setting, element]) == '{"tags":{"k":"x"}}'
    appending = tags('{"k":{"@@append":["z"],"@@remove":["y"]}}')
    assert effective([element], [appending]) == '{"tags":{"k":{"v":"y"}}}'


def test_e7_ignored_parts_leave_no_trace() -> None:
    """A path whose only operators were ignored does not fix its kind."""
    locked = tags('{"%s":["@@none"],"k":{"@@assign":"x"}}' % CHILD_CONTROL)
    ou = tags('{"k":{"v":{"@@assign":"y"}},"n":{"@@append":[]}}')
    assert effective([locked], [ou]) == '{"tags":{"k":"x"}}'
    same_level = tags('{"n":{"@@append":[]}}')
    assert effective([same_level, tags('{"n":{"m":{"@@assign":1}}}')]) == (
        '{"tags":{"n":{"m":1}}}'
    )


def test_e7_result_shares_nothing_with_the_documents() -> None:
    root = tags('{"k":{"v":{"@@assign":["a"]}}}')
    before = copy.deepcopy(root)
    result = merge([[root]])
    result["tags"]["k"]["v"].append("changed")
    assert root == before
    assert effective([root]) == '{"tags":{"k":{"v":["a"]}}}'


# --- P8: management document syntax ------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_type", "key"),
    [
        ("TAG_POLICY", "tags"),
        ("BACKUP_POLICY", "plans"),
        ("AISERVICES_OPT_OUT_POLICY", "services"),
        ("CHATBOT_POLICY", "chatbot"),
        ("DECLARATIVE_POLICY_EC2", "ec2_attributes"),
    ],
)
def test_p8_management_top_level_key_per_type(policy_type: str, key: str) -> None:
    assert TOP_LEVEL_KEY[policy_type] == key
    body = '{"x":{"@@assign":"y"}}'
    assert management_problem(policy_type, doc('{"%s":%s}' % (key, body))) is None
    assert management_problem(policy_type, doc('{"%s":{}}' % key)) is None
    assert management_problem(policy_type, doc('{"other":%s}' % body)) == (
        f'A {policy_type} document has the single top-level key "{key}", not "other".'
    )
    assert management_problem(
        policy_type, doc('{"%s":%s,"other":{}}' % (key, body))
    ) == (
        f'A {policy_type} document has the single top-level key "{key}", not "other".'
    )
    assert management_problem(policy_type, {}) == (
        f'A {policy_type} document must have the top-level key "{key}".'
    )


def test_p8_management_types_are_the_effective_policy_types() -> None:
    assert MANAGEMENT_TYPES == {member.value for member in EffectivePolicyType}
    assert len(MANAGEMENT_TYPES) == 13
    assert set(TOP_LEVEL_KEY) < MANAGEMENT_TYPES


@pytest.mark.parametrize("policy_type", sorted(MANAGEMENT_TYPES - set(TOP_LEVEL_KEY)))
def test_p8_management_other_types_accept_any_top_level_key(policy_type: str) -> None:
    document = doc(
        '{"anything":{"v":{"@@assign":1}},"tags":{},"more":{"@@append":[2]}}'
    )
    assert management_problem(policy_type, document) is None
    assert management_problem(policy_type, {}) == (
        "The policy document must have at least one top-level key."
    )


def test_p8_management_unknown_type_is_a_caller_mistake() -> None:
    for policy_type in (
        "SERVICE_CONTROL_POLICY",
        "RESOURCE_CONTROL_POLICY",
        "tag_policy",
    ):
        with pytest.raises(ValueError):
            management_problem(policy_type, A)


def test_p8_management_document_is_a_json_object() -> None:
    for document in ([], "tags", 1, None, [A]):
        assert management_problem("TAG_POLICY", document) == (
            "The policy document must be a JSON object."
        )


def test_p8_management_leaf_outside_operator() -> None:
    for leaf in ('"CostCenter"', '["a"]', "1", "true", "null"):
        assert management_problem(
            "TAG_POLICY", tags('{"k":{"tag_key":%s}}' % leaf)
        ) == (
            "At tags.k.tag_key, a value must be given through an operator"
            " (@@assign, @@append or @@remove)."
        )
    assert management_problem("TAG_POLICY", doc('{"tags":"x"}')) == (
        "At tags, a value must be given through an operator (@@assign, @@append or @@remove)."
    )


def test_p8_management_only_four_operators() -> None:
    for operator in ("@@replace", "@@all", "@@none", "@@ASSIGN", "@@"):
        document = tags('{"k":{"%s":["a"]}}' % operator)
        assert management_problem("TAG_POLICY", document) == (
            f'At tags.k, "{operator}" is not an operator (@@assign, @@append, @@remove'
            " or @@operators_allowed_for_child_policies)."
        )
    # A single @ is an ordinary key.
    assert management_problem("TAG_POLICY", tags('{"@k":{"@@assign":1}}')) is None


def test_p8_management_top_level_takes_no_operator() -> None:
    """DECIDED: the top level holds keys only, the child control included."""
    for operator in ("@@assign", CHILD_CONTROL, "@@unknown"):
        document = doc('{"%s":["@@none"],"tags":{}}' % operator)
        assert management_problem("S3_POLICY", document) == (
            f'The top level of a policy document takes keys, not "{operator}".'
        )


def test_p8_management_append_and_remove_take_arrays() -> None:
    for operator in ("@@append", "@@remove"):
        for value in ('"a"', "1", '{"a":1}', "null"):
            document = tags('{"k":{"%s":%s}}' % (operator, value))
            assert management_problem("TAG_POLICY", document) == (
                f"At tags.k, {operator} takes an array."
            )
        document = tags('{"k":{"%s":["a",1,true,[]]}}' % operator)
        assert management_problem("TAG_POLICY", document) == (
            f"At tags.k, {operator} takes an array of strings, numbers and booleans."
        )
        assert (
            management_problem("TAG_POLICY", tags('{"k":{"%s":[]}}' % operator)) is None
        )


def test_p8_management_assign_takes_a_scalar_or_an_array_of_them() -> None:
    for value in ('"a"', "1", "-2.5e3", "false", "[]", '["a",2,true]'):
        assert (
            management_problem("TAG_POLICY", tags('{"k":{"@@assign":%s}}' % value))
            is None
        )
    for value in ("null", '["a",null]', '["a",["b"]]'):
        assert management_problem("TAG_POLICY", tags('{"k":{"@@assign":%s}}' % value))


def test_p8_management_assign_of_an_object_is_refused() -> None:
    """DECIDED: objects are elements, written with plain keys, not assigned values."""
    for value in ('{"v":{"@@assign":1}}', "{}", '[{"a":1}]'):
        problem = management_problem(
            "TAG_POLICY", tags('{"k":{"@@assign":%s}}' % value)
        )
        assert problem is not None and problem.startswith("At tags.k, @@assign takes")


def test_p8_management_child_control_values() -> None:
    for value in (
        '["@@all"]',
        '["@@none"]',
        '["@@assign"]',
        '["@@append","@@remove"]',
        '["@@remove","@@assign","@@append"]',
    ):
        document = tags('{"k":{"%s":%s}}' % (CHILD_CONTROL, value))
        assert management_problem("TAG_POLICY", document) is None
    for value in (
        "[]",
        '"@@all"',
        '["@@all","@@assign"]',
        '["@@none","@@none"]',
        '["@@nothing"]',
        '["@@assign",1]',
        "{}",
        "null",
    ):
        document = tags('{"k":{"%s":%s}}' % (CHILD_CONTROL, value))
        assert management_problem("TAG_POLICY", document) == (
            f"At tags.k, {CHILD_CONTROL} takes an array of @@assign, @@append and"
            ' @@remove, or ["@@all"] or ["@@none"].'
        )


def test_p8_management_operators_mixed_with_child_keys() -> None:
    """DECIDED: an element sets a value or has children; the control goes with either."""
    for text in ('{"k":{"@@assign":"a","v":{}}}', '{"k":{"v":{},"@@append":["a"]}}'):
        assert management_problem("TAG_POLICY", tags(text)) == (
            "At tags.k, an element cannot both set a value and have child keys."
        )
    with_children = '{"k":{"%s":["@@none"],"v":{"@@assign":1}}}' % CHILD_CONTROL
    with_value = '{"k":{"@@assign":1,"%s":["@@none"]}}' % CHILD_CONTROL
    alone = '{"k":{"%s":["@@none"]}}' % CHILD_CONTROL
    for text in (with_children, with_value, alone):
        assert management_problem("TAG_POLICY", tags(text)) is None


def test_p8_management_empty_elements_are_allowed() -> None:
    """DECIDED: an empty object sets nothing and is no leaf value."""
    assert management_problem("TAG_POLICY", tags('{"k":{},"j":{"v":{}}}')) is None


def test_p8_management_depth_limit() -> None:
    def nested(levels: int) -> Document:
        """An S3 document whose objects and arrays nest `levels` deep."""
        inner: Document = {"@@assign": ["deepest"]}  # the array is the deepest level
        for _ in range(levels - 2):
            inner = {"k": inner}
        return inner

    assert management_problem("S3_POLICY", nested(MAX_DEPTH)) is None
    limit = f"The policy document nests objects and arrays more than {MAX_DEPTH} levels deep."
    assert management_problem("S3_POLICY", nested(MAX_DEPTH + 1)) == limit
    assert management_problem("S3_POLICY", nested(200_000)) == limit  # no recursion
    # The innermost object is a setting: it becomes the array.
    assert effective([nested(MAX_DEPTH)]).count("{") == MAX_DEPTH - 2


def test_p8_management_values_must_be_json() -> None:
    """DECIDED: what no JSON parser gives, and what no answer could carry."""
    cases = {
        '{"k":{"@@assign":NaN}}': "not JSON: tags.k holds a number that is not finite",
        '{"k":{"@@append":[Infinity]}}': "not JSON: tags.k holds a number that is not finite",
        '{"k":{"@@assign":"\\udc00"}}': "At tags.k, a text value is not valid Unicode.",
        '{"\\ud800x":{"@@assign":1}}': 'At tags, the key "\\ud800x" is not valid Unicode text.',
    }
    for text, message in cases.items():
        problem = management_problem("TAG_POLICY", tags(text))
        assert problem is not None and message in problem
    huge = tags('{"k":{"@@assign":%d}}' % 10**4000)
    assert (
        management_problem("TAG_POLICY", huge)
        == "At tags.k, an integer has more than 4000 digits."
    )
    assert (
        management_problem("TAG_POLICY", tags('{"k":{"@@assign":%d}}' % (10**4000 - 1)))
        is None
    )
    assert management_problem("TAG_POLICY", {"tags": {"k": {"@@assign": {1, 2}}}}) == (
        "The policy document is not JSON: tags.k holds a value of no JSON type."
    )
    assert management_problem("TAG_POLICY", {"tags": {1: {}}}) == (
        "The policy document is not JSON: tags has a key that is not text."
    )


def test_p8_management_shared_values_are_refused() -> None:
    """DECIDED: a parsed document is a tree; an object reached twice is not JSON's (an
    array holds scalars only, so sharing one costs nothing)."""
    shared: Document = {"v": {"@@assign": 1}}
    assert management_problem("TAG_POLICY", {"tags": {"a": shared, "b": shared}}) == (
        "The policy document is not JSON: one object appears twice (a parsed document is a tree)."
    )
    looped: Document = {"k": {}}
    looped["k"]["k"] = looped
    assert management_problem("S3_POLICY", looped) is not None
    array = ["a"]
    sharing = {"tags": {"a": {"@@assign": array}, "b": {"@@append": array}}}
    assert management_problem("TAG_POLICY", sharing) is None


def test_p8_management_first_problem_in_document_order() -> None:
    document = tags('{"a":{"b":{"c":"bare"}},"z":{"@@assign":{}}}')
    assert management_problem("TAG_POLICY", document) == (
        "At tags.a.b.c, a value must be given through an operator"
        " (@@assign, @@append or @@remove)."
    )
    document = tags('{"z":{"@@assign":{}},"a":{"b":{"c":"bare"}}}')
    problem = management_problem("TAG_POLICY", document)
    assert problem is not None and problem.startswith("At tags.z, @@assign takes")


def test_p8_management_messages_quote_odd_keys_briefly() -> None:
    long_key = "k" * 500
    document = tags('{"a b":{"%s":{"x":"bare"}}}' % long_key)
    problem = management_problem("TAG_POLICY", document)
    assert problem is not None
    assert problem.startswith('At tags."a b".' + '"' + "k" * 64 + '...".x, ')
    assert len(problem) < 200


def test_p8_merge_refuses_a_malformed_document() -> None:
    with pytest.raises(ValueError, match="a value must be given through an operator"):
        merge([[A], [tags('{"k":{"v":"bare"}}')]])
    with pytest.raises(ValueError, match="must be a JSON object"):
        merge([[[]]])  # type: ignore[list-item]  # a caller's mistake on purpose


# --- hostile input: linear work ------------------------------------------------------


def test_hostile_colliding_numbers_stay_linear() -> None:
    """Integers that share one hash (multiples of 2**61 - 1) in the largest documents."""
    per_document = 400
    step = 2**61 - 1
    documents = [
        tags(
            '{"k":{"v":{"@@append":[%s]}}}'
            % ",".join(
                str(step * (i * per_document + j + 1)) for j in range(per_document)
            )
        )
        for i in range(70)
    ]
    assert all(
        hash(value) == 0 for value in documents[-1]["tags"]["k"]["v"]["@@append"]
    )
    assert all(len(json.dumps(d, separators=(",", ":"))) <= 10_000 for d in documents)
    started = time.perf_counter()
    result = merge([documents[i : i + 10] for i in range(0, 70, 10)])
    assert len(result["tags"]["k"]["v"]) == 70 * per_document
    assert time.perf_counter() - started < 2


def test_hostile_deep_and_wide_documents_stay_fast() -> None:
    chain: Document = {"@@append": ["x"], CHILD_CONTROL: ["@@append"]}
    for depth in range(MAX_DEPTH - 3):
        chain = {f"k{depth}": chain, CHILD_CONTROL: ["@@all"]}
    deep = {"tags": chain}
    wide = tags(json.dumps({f"k{i}": {"@@assign": i} for i in range(400)}))
    for document in (deep, wide):
        assert management_problem("TAG_POLICY", document) is None
    started = time.perf_counter()
    for _ in range(3):
        render(merge([[deep, wide] * 5 for _ in range(7)]))
    assert time.perf_counter() - started < 3


# --- properties --------------------------------------------------------------------------

KEYS = st.sampled_from(["a", "b", "c", "ü"])
SCALARS = st.one_of(
    st.sampled_from(["x", "y", "z", "é", ""]), st.integers(-2, 2), st.booleans()
)
ARRAYS = st.lists(SCALARS, max_size=4)
CONTROLS = st.one_of(
    st.just(["@@all"]),
    st.just(["@@none"]),
    st.lists(st.sampled_from(sorted(ALL_OPERATORS)), min_size=1, max_size=3),
)


def _with_control(draw: Any, element: Document, controls: bool) -> Document:
    if controls and draw(st.booleans()):
        element[CHILD_CONTROL] = draw(CONTROLS)
    return element


@st.composite
def setting_elements(
    draw: Any, controls: bool = True, only_assign: bool = False
) -> Document:
    operators: Document = {}
    if only_assign or draw(st.booleans()):
        operators["@@assign"] = draw(st.one_of(SCALARS, ARRAYS))
    if not only_assign:
        for operator in ("@@append", "@@remove"):
            if draw(st.booleans()):
                operators[operator] = draw(ARRAYS)
    return _with_control(draw, operators, controls)


@st.composite
def elements(
    draw: Any, depth: int, controls: bool = True, only_assign: bool = False
) -> Document:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(setting_elements(controls, only_assign))
    children = draw(
        st.dictionaries(KEYS, elements(depth - 1, controls, only_assign), max_size=3)
    )
    return _with_control(draw, children, controls)


def documents(
    controls: bool = True, only_assign: bool = False
) -> st.SearchStrategy[Document]:
    return st.builds(lambda body: {"tags": body}, elements(3, controls, only_assign))


LEVELS = st.lists(st.lists(documents(), max_size=3), max_size=4)
FEW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _value_key(value: Any) -> tuple[bool, Any]:
    return (isinstance(value, bool), value)


def _single(element: Document) -> Any:
    """What one policy alone makes of a setting, written out independently of merge."""
    current: Any = None
    if "@@assign" in element:
        assigned = element["@@assign"]
        if isinstance(assigned, list):
            current = []
            for value in assigned:
                if _value_key(value) not in map(_value_key, current):
                    current.append(value)
        else:
            current = assigned
    if element.get("@@append"):
        current = [] if current is None else current
        current = current if isinstance(current, list) else [current]
        for value in element["@@append"]:
            if _value_key(value) not in map(_value_key, current):
                current.append(value)
    if "@@remove" in element and current is not None:
        gone = set(map(_value_key, element["@@remove"]))
        if isinstance(current, list):
            current = [value for value in current if _value_key(value) not in gone]
        elif _value_key(current) in gone:
            current = []
    return current


def _alone(document: Document) -> Document:
    """The effective document of one policy attached to the root, for the oracle."""
    result: Document = {}
    for key, element in document.items():
        if key.startswith("@@"):
            continue
        if any(operator in element for operator in ALL_OPERATORS):
            value = _single(element)
            if value is not None and value != []:
                result[key] = value
        else:
            inner = _alone(element)
            if inner:
                result[key] = inner
    return result


def _no_operators_or_empties(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(
            not key.startswith("@@") and _no_operators_or_empties(inner)
            for key, inner in value.items()
        )
    if isinstance(value, list):
        return bool(value) and not any(isinstance(item, (dict, list)) for item in value)
    return True


@FEW
@given(documents())
def test_property_generated_documents_are_valid(document: Document) -> None:
    for policy_type in MANAGEMENT_TYPES:
        if TOP_LEVEL_KEY.get(policy_type, "tags") == "tags":
            assert management_problem(policy_type, document) is None


@FEW
@given(documents(), st.integers(0, 3))
def test_property_root_policy_alone_is_itself_without_operators(
    document: Document, empty_levels: int
) -> None:
    levels = [[document]] + [[] for _ in range(empty_levels)]
    expected = _alone(document)
    assert render(merge(levels)) == render(expected)


@FEW
@given(LEVELS)
def test_property_merge_never_raises_and_renders_json(
    levels: list[list[Document]],
) -> None:
    result = merge(levels)
    text = render(result)
    assert json.loads(text) == result
    assert render(json.loads(text)) == text
    assert result == {} or _no_operators_or_empties(result)


@FEW
@given(LEVELS, st.data())
def test_property_adding_then_removing_a_policy_restores(
    levels: list[list[Document]], data: st.DataObject
) -> None:
    """At any level (a new lowest one too) and any place in it; merge keeps no state."""
    before = render(merge(levels))
    depth = data.draw(st.integers(0, len(levels)))
    added = [list(level) for level in levels] + [[]]
    place = data.draw(st.integers(0, len(added[depth])))
    added[depth].insert(place, data.draw(documents()))
    render(merge(added))
    del added[depth][place]
    assert added[-1] == []
    assert render(merge(added[:-1])) == before


@FEW
@given(LEVELS, st.data())
def test_property_empty_levels_change_nothing(
    levels: list[list[Document]], data: st.DataObject
) -> None:
    padded = list(levels)
    padded.insert(data.draw(st.integers(0, len(levels))), [])
    assert render(merge(padded)) == render(merge(levels))


@FEW
@given(LEVELS, st.data())
def test_property_a_repeated_policy_in_its_level_changes_nothing(
    levels: list[list[Document]], data: st.DataObject
) -> None:
    """The repeat's assigns lose to the first (E5); its appends and removes are done."""
    if not any(levels):
        return
    depth = data.draw(st.sampled_from([i for i, level in enumerate(levels) if level]))
    place = data.draw(st.integers(0, len(levels[depth]) - 1))
    repeated = [list(level) for level in levels]
    repeated[depth].insert(place + 1, copy.deepcopy(levels[depth][place]))
    assert render(merge(repeated)) == render(merge(levels))


@FEW
@given(documents(only_assign=True), st.integers(1, 4))
def test_property_an_assign_only_policy_is_idempotent(
    document: Document, times: int
) -> None:
    once = render(merge([[document]]))
    assert render(merge([[document] for _ in range(times)])) == once
    assert render(merge([[document] * times])) == once


@FEW
@given(LEVELS, documents())
def test_property_account_level_controls_change_nothing(
    levels: list[list[Document]], document: Document
) -> None:
    controls_only = _controls_of(document)
    assert render(merge([*levels, [controls_only]])) == render(merge(levels))


def _controls_of(document: Document) -> Document:
    """`document` with every value-setting operator taken out."""
    result: Document = {}
    for key, value in document.items():
        if key in ALL_OPERATORS:
            continue
        result[key] = _controls_of(value) if isinstance(value, dict) else value
    return result


@FEW
@given(documents(), st.lists(st.lists(documents(), max_size=2), min_size=1, max_size=3))
def test_property_none_at_the_top_locks_the_policy(
    root: Document, below: list[list[Document]]
) -> None:
    locked = copy.deepcopy(root)
    locked["tags"][CHILD_CONTROL] = ["@@none"]
    assert render(merge([[locked], *below])) == render(merge([[locked]]))


@FEW
@given(LEVELS)
def test_property_merge_leaves_its_documents_alone(
    levels: list[list[Document]],
) -> None:
    before = copy.deepcopy(levels)
    first = render(merge(levels))
    assert levels == before
    assert render(merge(levels)) == first


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    ["@@assign", "@@append", "@@remove", CHILD_CONTROL, "@@all", "tags"]
                ),
                st.text(max_size=3),
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


@FEW
@given(st.sampled_from(sorted(MANAGEMENT_TYPES)), JSON_VALUES)
def test_property_any_json_gets_an_answer_and_accepted_ones_merge(
    policy_type: str, document: Any
) -> None:
    problem = management_problem(policy_type, document)
    if problem is None:
        json.loads(render(merge([[document], [document]])))
    else:
        assert problem.endswith(".") and "\n" not in problem
