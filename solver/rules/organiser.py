"""The organiser's own rules from the Rules sheet: together, apart, assign, forbid."""

from models import Rule, RuleKind
from solver.model import SessionModel


def present(m: SessionModel, rule: Rule) -> list[str]:
    """The rule's people who take part in this session."""
    here = {person.id for person in m.people}
    return [person for person in rule.participants if person in here]


def option_here(m: SessionModel, rule: Rule) -> bool:
    """True when the rule's option is an option of this session."""
    return any(option.id == rule.option for option in m.options)


def keep_together(m: SessionModel) -> None:
    """`together`: the rule's people share one option (soft: each extra option used costs)."""
    for rule in m.event.rules_for(m.session.id, [RuleKind.TOGETHER]):
        people = present(m, rule)
        if len(people) < 2:
            continue
        for round_ in m.rounds:
            used = []
            for option in m.options:
                seats = [m.in_option(person, option.id, round_) for person in people]
                if rule.is_hard:
                    for seat in seats[1:]:
                        m.require(m.model.add(seat == seats[0]), rule.located)
                    continue
                opened = m.model.new_bool_var(f"together[{rule.row}][{option.id}]")
                for seat in seats:
                    m.model.add(opened >= seat)
                used.append(opened)
            if used:
                m.penalise("together", rule.weight, sum(used) - 1)


def keep_apart(m: SessionModel) -> None:
    """`apart`: no two of the rule's people share an option (soft: each extra person costs)."""
    for rule in m.event.rules_for(m.session.id, [RuleKind.APART]):
        people = present(m, rule)
        if len(people) < 2:
            continue
        for round_ in m.rounds:
            for option in m.options:
                seats = sum(m.in_option(person, option.id, round_) for person in people)
                if rule.is_hard:
                    m.require(m.model.add(seats <= 1), rule.located)
                    continue
                extra = m.model.new_int_var(0, len(people) - 1, f"apart[{rule.row}][{option.id}]")
                m.model.add(extra >= seats - 1)
                m.penalise("apart", rule.weight, extra)


def soft_assign(m: SessionModel) -> None:
    """Soft `assign`: each round a person spends outside the option costs the rule's weight."""
    for rule in m.event.rules_for(m.session.id, [RuleKind.ASSIGN]):
        if rule.is_hard or not option_here(m, rule):
            continue
        for person in present(m, rule):
            for round_ in m.rounds:
                m.penalise("assign", rule.weight, 1 - m.in_option(person, rule.option, round_))


def soft_forbid(m: SessionModel) -> None:
    """Soft `forbid`: each round a person spends in the option costs the rule's weight."""
    for rule in m.event.rules_for(m.session.id, [RuleKind.FORBID]):
        if rule.is_hard or not option_here(m, rule):
            continue
        for person in present(m, rule):
            for round_ in m.rounds:
                m.penalise("forbid", rule.weight, m.in_option(person, rule.option, round_))
