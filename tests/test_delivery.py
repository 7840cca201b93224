from __future__ import annotations

import pytest

from runthru_build.delivery import CUES, EMOTIONS, delivery_from


@pytest.mark.parametrize(
    ("direction", "emotion"),
    [
        ("angrily", "angry"), ("furious", "angry"), ("laughing", "happy"), ("through tears", "sad"),
        ("terrified", "afraid"), ("startled", "surprised"), ("with disgust", "disgusted"),
        ("softly", "calm"), ("whispering", "whisper"), ("shouting", "shout"), ("wistfully", "melancholic"),
        ("To the audience:", "neutral"), ("crosses to the door", "neutral"),
    ],
)
def test_directions_map_to_emotions(direction, emotion):
    assert delivery_from([direction]).emotion == emotion


def test_modifiers_scale_intensity_and_raw_text_is_kept():
    plain, strong, weak = (delivery_from([d]) for d in ("angrily", "very angrily", "slightly angrily"))
    assert weak.intensity < plain.intensity < strong.intensity <= 1.0
    assert strong.direction == "very angrily"


def test_first_emotional_word_wins():
    assert delivery_from(["quietly, then shouting"]).emotion == "calm"


def test_table_only_names_known_emotions():
    assert {emotion for emotion, _ in CUES.values()} <= set(EMOTIONS)
    assert all(0 < intensity <= 1 for _, intensity in CUES.values())
