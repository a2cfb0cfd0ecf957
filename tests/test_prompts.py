from studio.app.prompts import jaccard, prompt_similarity, split_parts


def test_split_parts_normalises():
    assert split_parts("A  Fox, (snow:1.2),watercolor, a fox,,") == ["a fox", "snow", "watercolor"]


def test_similarity_is_jaccard_of_parts():
    assert prompt_similarity("a, b, c, d", "a, b, c, d, e") == 0.8
    assert prompt_similarity("x", "y") == 0.0
    assert jaccard([], []) == 1.0
