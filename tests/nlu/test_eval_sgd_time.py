from scripts.eval_sgd_time import score


def _turn(text, slot, canonical):
    act = {"act": "INFORM", "slot": slot, "values": [canonical], "canonical_values": [canonical]}
    return {"text": text, "actions": [act]}


def test_score_reads_entities_like_the_booking_form():
    turns = [
        _turn('Is 5 o"clock in the evening free?', "appointment_time", "17:00"),
        _turn("Anything after 4pm?", "appointment_time", "16:00"),  # a window: no time
        _turn("On March 7th. Can it be at 11 am?", "appointment_date", "2019-03-07"),
        _turn("Thanks, that's all", "appointment_date", "2019-03-02"),
        {"text": "at 3pm", "actions": [{"act": "REQUEST", "slot": "appointment_time"}]},
    ]
    result = score(turns)
    assert result["appointment_time"][:2] == (1, 2)
    assert result["appointment_date"][:2] == (1, 2)
    assert len(result["appointment_time"][2]) == 1
