import json

from studio.api import GenerationRequest, GeneratorInfo, Param


def test_request_round_trips_through_json():
    req = GenerationRequest(
        modality="image", prompt="a fox, watercolor", task="img2img", generator="g",
        model="m", params={"steps": 3, "strength": 0.5}, seed=42,
        inputs={"image": "/tmp/x.png"}, parent="abc",
    )
    again = GenerationRequest.from_dict(json.loads(json.dumps(req.to_dict())))
    assert again == req
    assert again.replace(seed=7).seed == 7 and again.seed == 42


def test_request_copies_its_mappings():
    params = {"steps": 3}
    req = GenerationRequest(modality="image", params=params)
    params["steps"] = 99
    assert req.params["steps"] == 3


def test_generator_info_serialises_schema():
    info = GeneratorInfo(id="x", name="X", modality="image", tasks=("txt2img",),
                         factory="m:C", params=(Param("steps", "int", 2, min=1),))
    d = info.to_dict()
    assert d["params"][0]["name"] == "steps" and d["params"][0]["min"] == 1
    assert d["params"][0]["label"] == "Steps"
