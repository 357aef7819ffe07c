from bot.commands import AnswerReply, Notice, Requester, SummitService


async def test_ceph_crush_example(service: SummitService) -> None:
    reply = await service.ask("what did the Ceph talk say about CRUSH?")
    assert isinstance(reply, AnswerReply)
    assert reply.answer.answered
    assert reply.answer.best is not None
    assert reply.answer.best.session.title == "Storing VMs with Cinder and Ceph RBD"
    assert "pseudo-random placement" in reply.answer.best.text


async def test_non_admin_reload_is_refused(service: SummitService) -> None:
    reply = await service.reload(Requester("test", "u1", is_admin=False))
    assert isinstance(reply, Notice) and reply.kind == "refused"
