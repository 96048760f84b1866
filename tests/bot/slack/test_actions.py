"""Feedback buttons (stored with question, answer, sources, user), the comment modal, and sharing."""

import json

from bot.slack.audience import SHARE_REFUSED
from bot.slack.blocks import pack_feedback
from bot.slack.listeners.actions import handle_feedback, handle_feedback_comment, handle_share
from tests.bot.slack.fakes import Recorder, make_answer


def click(action_id: str, value: str, user: str = "U3") -> tuple[dict, dict]:
    action = {"action_id": action_id, "value": value, "block_id": "advisor_feedback", "type": "button"}
    body = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C1"},
        "trigger_id": "trig",
        "container": {"type": "message", "channel_id": "C1"},
        "actions": [action],
    }
    return body, action


def test_not_helpful_is_stored_then_a_comment_modal_opens(bot, client):
    answer = make_answer()
    body, action = click("feedback_not_helpful", pack_feedback(answer))
    feedback_id = handle_feedback(bot, body, action, client)
    saved = bot.feedback.get(feedback_id)
    assert (saved.user_id, saved.channel_id, saved.rating) == ("U3", "C1", "not_helpful")
    assert saved.question == answer.question and saved.answer == answer.text
    assert [c["title"] for c in saved.citations] == ["The MLOps checklist", "Guardrails & <you>"]
    [opened] = client.of("views_open")
    assert opened["trigger_id"] == "trig" and json.loads(opened["view"]["private_metadata"]) == {
        "feedback_id": feedback_id
    }


def test_comment_from_the_modal_is_attached_to_the_rating(bot, client):
    body, action = click("feedback_helpful", pack_feedback(make_answer()))
    feedback_id = handle_feedback(bot, body, action, client)
    view = client.of("views_open")[0]["view"]
    submitted = {**view, "state": {"values": {"comment": {"comment": {"value": "Spot on, thanks"}}}}}
    assert handle_feedback_comment(bot, {"user": {"id": "U3"}}, submitted) is True
    assert bot.feedback.get(feedback_id).comment == "Spot on, thanks"
    assert handle_feedback_comment(bot, {"user": {"id": "U_OTHER"}}, submitted) is False


def test_modal_failure_still_thanks_the_user(bot, client):
    client.failing["views_open"] = "expired_trigger_id"
    body, action = click("feedback_helpful", pack_feedback(make_answer()))
    assert handle_feedback(bot, body, action, client) is not None
    [thanks] = client.of("chat_postEphemeral")
    assert thanks["user"] == "U3" and "Thanks" in thanks["text"]


def test_unreadable_feedback_is_reported_not_stored(bot, client):
    body, action = click("feedback_helpful", "garbage")
    assert handle_feedback(bot, body, action, client) is None
    assert "couldn't save your feedback" in client.of("chat_postEphemeral")[0]["text"]
    assert bot.feedback.recent() == []


def test_share_posts_in_channel_then_removes_the_private_copy(bot, advisor):
    respond = Recorder()
    body, action = click("share_answer", json.dumps({"cmd": "ask", "arg": "what is missing?"}))
    handle_share(bot, body, action, respond)
    shared, deleted = respond.calls
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][0]["elements"][0]["text"] == "<@U3> shared this from `/advisor ask what is missing?`"
    assert "share_answer" not in json.dumps(shared["blocks"])  # no second share button
    assert deleted == {"args": (), "delete_original": True}
    assert {(a[1].user_id, a[1].channel_id) for a in advisor.asked} == {("U3", "C1"), (None, "C1")}


def test_share_failure_is_reported(bot):
    respond = Recorder()
    body, action = click("share_answer", json.dumps({"cmd": "initiative", "arg": "no such thing"}))
    handle_share(bot, body, action, respond)
    [reply] = respond.calls
    assert reply["text"].startswith(":warning: I couldn't share that.") and reply["response_type"] == "ephemeral"


def shared_click(cmd: str, arg: str, user: str, channel: str) -> tuple[dict, dict]:
    body, action = click("share_answer", json.dumps({"cmd": cmd, "arg": arg}), user=user)
    body["channel"] = {"id": channel}
    body["container"]["channel_id"] = channel
    return body, action


def test_share_is_refused_when_the_channel_may_not_see_what_the_user_saw(bot):
    """MNA-013 is restricted to U0STRATEGY1 and C0DEALROOM1: shown privately, never shared in C1."""
    for cmd, arg in (("initiative", "MNA-013"), ("portfolio", "")):
        respond = Recorder()
        handle_share(bot, *shared_click(cmd, arg, user="U0STRATEGY1", channel="C1"), respond)
        [refusal] = respond.calls
        assert refusal["text"] == SHARE_REFUSED and refusal["response_type"] == "ephemeral"
        assert refusal["replace_original"] is False and "Deal Room" not in json.dumps(refusal)


def test_share_goes_ahead_where_the_channel_may_see_it_all(bot):
    respond = Recorder()
    handle_share(bot, *shared_click("initiative", "MNA-013", user="U0STRATEGY1", channel="C0DEALROOM1"), respond)
    shared, deleted = respond.calls
    assert shared["response_type"] == "in_channel" and "Deal Room Summariser" in json.dumps(shared["blocks"])
    assert deleted == {"args": (), "delete_original": True}
