"""Skills: one file per skill. `ALL` is the ordered list the router and `help` use."""

from __future__ import annotations

from qopt.bot.skill import Skill


def all_skills() -> list[Skill]:
    """Every skill, in the order `help` lists them."""
    from skills.alert import AlertSkill
    from skills.ask import AskSkill
    from skills.audit import AuditSkill
    from skills.cost import CostSkill
    from skills.digest import DigestSkill
    from skills.genie import GenieSkill
    from skills.help import HelpSkill
    from skills.optimize import OptimizeSkill
    from skills.query import QuerySkill
    from skills.recommend import RecommendSkill
    from skills.top import TopSkill

    return [TopSkill(), CostSkill(), QuerySkill(), OptimizeSkill(), RecommendSkill(), AskSkill(), GenieSkill(), DigestSkill(), AlertSkill(), AuditSkill(), HelpSkill()]
