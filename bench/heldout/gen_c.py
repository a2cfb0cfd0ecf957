#!/usr/bin/env python3
"""Synthetic event-history generator for a desktop generative studio (gen_c).

Model: an explicit hidden-state simulation per user.

  * Vocabulary: several hundred modifier terms grouped in categories
    (style, medium, artist, lighting, camera, colour, mood, quality, setting,
    detail for images; tone/author/audience/... for text; instruments/mood/
    tempo/production/... for music) plus structured subjects
    (theme -> noun / adjective / action / place / framing slots).
  * Hidden taste: per user and category a Dirichlet-distributed preference
    over terms (and over categories and subject themes).  It is only partly
    correlated with the user's hidden per-term utility, it drifts at every
    session start (mixing in a fresh Dirichlet draw around a slowly moving
    base) and it is nudged towards terms of outputs the user liked.
  * Hidden quality of an output = subject utility + weighted sum of per-term
    utilities (diluted by prompt length, penalised for over-long prompts,
    clashing media / palettes, extreme weights) + parameter fit (cfg, steps,
    sampler, model) + seed noise (deterministic per seed, so fixed-seed
    refinement is meaningful) - boredom from re-running the same thing.
    A user's utility = shared "global" term value + personal value; both
    differ per user in weight.
  * Phases: explore (new idea: subject from theme taste, modifiers sampled
    from taste, optional personal "signature" suffix/prefix, or an old
    modifier set re-used on a new subject), refine (1-2 edits per step: add,
    remove [biased towards terms that feel bad], replace within the same
    category (common) or across categories, rephrase the subject, reweight,
    move a term; some users edit the best version so far, others the last
    one, some keep the seed fixed while refining), exploit (re-run the best
    prompt with new seeds, small cfg/steps/sampler/size/model tweaks), and
    return (go back to an earlier kept / favourite prompt).  Switches are
    driven by satisfaction = observed quality relative to an adaptive
    expectation, improvement over the idea's best, patience and boredom.
  * Reactions (keep / favourite / delete / rate 1-5) follow from the observed
    quality relative to per-user thresholds; some users react immediately,
    some review a whole session at its end, some never rate, etc.
  * Sessions separated by hours-days gaps; think time depends on action;
    generation time depends on steps, size and the user's hardware; batches.

Variants (--variant):
  balanced  (default) medium prompts (about 3-12 modifiers), mixed behaviour,
            ~20% of users sometimes write text prompts, ~10% music.
  tinkerer  power users: long prompts (about 7-20 modifiers), heavy quality
            tags / signature strings, frequent (term:1.2) weights, more and
            longer refine chains, fixed-seed refinement common, bigger batches,
            few text/music prompts.
  casual    short prompts (0-5 modifiers), more natural-language subjects,
            more exploration of new ideas, less patience, fewer reactions,
            more text and music users.

Usage: python -m bench.heldout.gen_c --seed S --users U --gens G [--variant NAME] OUT.jsonl
Only stdlib + numpy.  Deterministic for a given (seed, users, gens, variant).
"""
import argparse
import json
import math
import sys
from statistics import NormalDist

import numpy as np

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

IMAGE_CATS = {
    "style": [
        "photorealistic", "hyperrealistic", "anime", "manga style", "studio ghibli style",
        "cyberpunk", "steampunk", "vaporwave", "synthwave", "art nouveau", "art deco",
        "baroque", "impressionism", "expressionism", "surrealism", "cubism", "pop art",
        "minimalist", "low poly", "pixel art", "isometric", "cel shaded", "comic book style",
        "ukiyo-e", "gothic", "dark fantasy", "high fantasy", "sci-fi", "retro futurism",
        "solarpunk", "dieselpunk", "cottagecore", "concept art", "matte painting",
        "digital painting", "fantasy art", "line art", "flat illustration",
        "children's book illustration", "storybook illustration", "film noir", "brutalist",
        "bauhaus", "psychedelic", "lovecraftian", "cosmic horror", "kawaii", "chibi",
        "semi-realistic", "painterly", "tarot card style", "stained glass", "mosaic",
        "graffiti", "street art", "vintage poster", "propaganda poster", "blueprint",
        "art brut", "dark academia", "y2k aesthetic", "lo-fi aesthetic", "hyper-maximalist",
        "editorial fashion", "ghibli-esque", "renaissance painting", "romanticism",
    ],
    "medium": [
        "oil painting", "watercolor", "gouache", "acrylic painting", "ink drawing",
        "pencil sketch", "charcoal drawing", "pastel drawing", "3d render", "clay render",
        "claymation", "papercut", "paper craft", "origami", "linocut", "woodblock print",
        "etching", "screen print", "digital art", "vector art", "photograph", "polaroid",
        "35mm film photo", "analog photo", "double exposure", "collage", "embroidery",
        "needle felt", "lego", "marble sculpture", "bronze statue", "tilt-shift photo",
        "infrared photo", "daguerreotype", "cyanotype", "spray paint", "voxel art",
        "airbrush", "mixed media", "fresco", "tempera", "risograph print",
    ],
    "artist": [
        "greg rutkowski", "alphonse mucha", "artgerm", "wlop", "james gurney",
        "simon stalenhag", "moebius", "hayao miyazaki", "makoto shinkai",
        "zdzislaw beksinski", "h.r. giger", "frank frazetta", "john singer sargent",
        "claude monet", "vincent van gogh", "gustav klimt", "salvador dali", "rene magritte",
        "edward hopper", "norman rockwell", "j.c. leyendecker", "ilya kuvshinov", "loish",
        "ross tran", "craig mullins", "syd mead", "ralph mcquarrie", "katsushika hokusai",
        "hiroshi yoshida", "kilian eng", "beeple", "thomas kinkade", "ivan aivazovsky",
        "caspar david friedrich", "albert bierstadt", "john howe", "alan lee",
        "yoshitaka amano", "kentaro miura", "takashi murakami", "yayoi kusama",
        "wes anderson", "tim burton", "annie leibovitz", "steve mccurry", "ansel adams",
        "gregory crewdson", "rembrandt", "caravaggio", "j.m.w. turner", "william blake",
        "arthur rackham", "beatrix potter", "mary blair", "peter mohrbacher",
        "jakub rozalski", "marc simonetti", "tom bagshaw", "charlie bowater", "karol bak",
        "james jean", "victo ngai", "jean-baptiste monge", "dan mumford", "anato finnstark",
    ],
    "lighting": [
        "volumetric lighting", "cinematic lighting", "golden hour", "blue hour",
        "rim lighting", "backlit", "soft lighting", "dramatic lighting", "studio lighting",
        "neon lighting", "god rays", "moonlight", "candlelight", "bioluminescent",
        "chiaroscuro", "low key lighting", "high key lighting", "harsh shadows",
        "soft shadows", "ambient occlusion", "global illumination", "ray tracing",
        "subsurface scattering", "diffused light", "overcast", "sunset", "sunrise",
        "twilight", "dappled sunlight", "lens flare", "glowing", "firelight",
        "fluorescent light", "split lighting", "rembrandt lighting", "light leaks",
        "caustics", "natural lighting", "volumetric fog", "crepuscular rays",
    ],
    "camera": [
        "35mm", "50mm", "85mm lens", "24mm", "14mm wide angle", "telephoto", "macro",
        "fisheye", "f/1.8", "f/2.8", "shallow depth of field", "bokeh", "deep focus",
        "long exposure", "motion blur", "canon eos 5d", "nikon d850", "sony a7r iv",
        "hasselblad", "leica m6", "fujifilm xt4", "kodak portra 400", "kodak ektachrome",
        "ilford hp5", "cinestill 800t", "close-up", "extreme close-up", "medium shot",
        "full body shot", "wide shot", "aerial view", "drone shot", "bird's eye view",
        "worm's eye view", "low angle", "high angle", "dutch angle", "over the shoulder",
        "establishing shot", "symmetrical composition", "rule of thirds",
        "centered composition", "panoramic", "cinematic framing", "anamorphic",
    ],
    "color": [
        "vibrant colors", "muted colors", "pastel colors", "monochrome", "black and white",
        "sepia", "teal and orange", "neon colors", "earth tones", "warm tones", "cool tones",
        "high contrast", "low contrast", "desaturated", "saturated", "complementary colors",
        "duotone", "iridescent", "holographic", "gold and black", "red and black",
        "pink and blue", "emerald green", "crimson", "limited palette", "colorful",
        "rainbow", "cyan and magenta", "purple haze", "autumn colors", "pastel goth palette",
    ],
    "mood": [
        "moody", "ethereal", "dreamy", "serene", "melancholic", "ominous", "eerie",
        "whimsical", "epic", "majestic", "cozy", "nostalgic", "mysterious", "haunting",
        "peaceful", "chaotic", "romantic", "lonely", "hopeful", "dystopian", "utopian",
        "magical", "mystical", "gritty", "playful", "tense", "calm", "otherworldly",
        "atmospheric", "bittersweet", "uncanny", "heroic", "somber", "joyful",
    ],
    "quality": [
        "masterpiece", "best quality", "high quality", "ultra detailed", "highly detailed",
        "intricate details", "8k", "4k", "uhd", "hdr", "sharp focus",
        "trending on artstation", "artstation", "featured on pixiv", "award winning",
        "award-winning photograph", "hyper detailed", "professional",
        "extremely detailed", "absurdres", "high resolution", "crisp", "detailed",
        "ultra realistic", "raw photo", "film grain", "cgsociety", "behance",
    ],
    "render": [
        "unreal engine 5", "octane render", "redshift render", "vray", "cinema4d",
        "blender", "ray traced", "unity engine", "keyshot", "houdini", "zbrush sculpt",
        "substance painter", "arnold render", "path tracing", "lumen", "nanite",
    ],
    "setting": [
        "rain", "snowfall", "fog", "cherry blossoms", "autumn leaves", "starry sky",
        "northern lights", "storm clouds", "city lights", "neon signs", "overgrown",
        "abandoned", "flooded", "post-apocalyptic", "lush vegetation", "crystal formations",
        "floating particles", "dust motes", "smoke", "sparks", "embers", "reflections",
        "puddles", "wet streets", "lanterns", "fireflies", "clouds", "waves", "ruins",
        "full moon", "bokeh lights", "mist", "sandstorm", "falling petals",
    ],
    "detail": [
        "detailed face", "beautiful eyes", "long flowing hair", "freckles",
        "intricate armor", "ornate jewelry", "flowing robes", "glowing eyes", "scars",
        "tattoos", "elegant dress", "hooded cloak", "futuristic suit", "feathered wings",
        "golden crown", "detailed fur", "detailed hands", "perfect anatomy",
        "symmetrical face", "intricate patterns", "filigree", "weathered skin",
        "expressive eyes", "dynamic pose", "flowing fabric", "highly detailed textures",
        "wet skin", "fine lines", "embroidered details", "cracked paint",
    ],
}
IMAGE_CAT_MAX = {"style": 3, "medium": 2, "artist": 4, "lighting": 3, "camera": 4,
                 "color": 2, "mood": 3, "quality": 8, "render": 2, "setting": 3,
                 "detail": 4}
IMAGE_EXCL = {"medium": 0.35, "color": 0.2, "style": 0.08, "render": 0.1}
# terms that are popular across the whole community (prior boost in taste)
POPULAR = {"masterpiece", "best quality", "highly detailed", "8k", "ultra detailed",
           "trending on artstation", "sharp focus", "intricate details", "4k", "hdr",
           "greg rutkowski", "alphonse mucha", "artgerm", "wlop", "studio ghibli style",
           "cinematic lighting", "volumetric lighting", "golden hour", "octane render",
           "unreal engine 5", "photorealistic", "concept art", "digital painting",
           "anime", "cyberpunk", "bokeh", "35mm", "85mm lens", "shallow depth of field",
           "oil painting", "watercolor", "3d render", "vibrant colors", "moody", "epic",
           "dramatic lighting", "detailed face", "beautiful eyes", "fantasy art",
           "chill", "lo-fi", "piano", "instrumental", "humorous", "short", "first person"}
# how often each category is reached for (Dirichlet prior of per-user category taste)
CAT_PRIOR = {"style": 1.4, "medium": 1.0, "artist": 0.9, "lighting": 1.3, "camera": 0.8,
             "color": 0.7, "mood": 0.8, "quality": 1.6, "render": 0.35, "setting": 0.6,
             "detail": 0.7,
             "tone": 1.5, "author": 0.6, "audience": 0.7, "length": 1.0, "pov": 0.6,
             "constraint": 0.8, "format": 0.6,
             "instrument": 1.6, "tempo": 0.9, "production": 1.0, "era": 0.6,
             "vocals": 0.8, "key": 0.3}
# themes whose subject is a character / creature (detail terms and portrait framings fit)
CHAR_THEMES = {"fantasy", "scifi", "portrait", "cute_animals", "horror", "mythology",
               "wildlife"}
ADJ_CHAR_ONLY = {"cute", "young", "old", "fierce", "elegant", "fluffy", "wild", "lonely"}
ADJ_OBJ_ONLY = {"abandoned", "cozy", "ornate", "mechanical", "crystal", "massive",
                "weathered", "steampunk"}
NO_ARTICLE = {"abstract shapes", "potion bottles", "still life of fruit", "medusa", "zeus",
              "anubis", "odin", "poseidon", "quetzalcoatl", "athena", "flowing liquid",
              "sushi platter", "tagline ideas", "song lyrics"}
CHAR_FRAMING = {"portrait of", "character design of", "close-up of"}
IMAGE_CAT_MEAN = {"quality": 0.12, "lighting": 0.05, "artist": 0.05}

IMAGE_THEMES = {
    "fantasy": dict(
        noun=["dragon", "wizard", "elf archer", "knight in armor", "sorceress", "griffin",
              "phoenix", "dwarf blacksmith", "fairy", "enchanted castle", "tree spirit",
              "necromancer", "paladin", "unicorn", "forest witch"],
        action=["casting a spell", "standing on a cliff", "flying over mountains",
                "guarding a treasure", "walking through a forest", "reading an ancient tome",
                "holding a glowing sword"],
        place=["in an enchanted forest", "in a ruined temple", "above the clouds",
               "in a crystal cave", "at the edge of the world", "in a misty valley"]),
    "scifi": dict(
        noun=["astronaut", "cyborg", "android", "spaceship", "space station", "mech",
              "robot", "alien landscape", "bounty hunter", "hover car", "starship bridge",
              "cybernetic samurai", "space explorer"],
        action=["exploring a derelict ship", "drifting through space",
                "walking through neon streets", "repairing a machine",
                "landing on an alien planet", "looking at a hologram"],
        place=["on mars", "in orbit around a gas giant", "in a cyberpunk city",
               "inside a megastructure", "on a desert planet", "in a space colony"]),
    "wildlife": dict(
        noun=["red fox", "wolf", "snowy owl", "deer", "brown bear", "hummingbird",
              "koi fish", "jellyfish", "tiger", "humpback whale", "eagle", "snow leopard",
              "heron"],
        action=["in the snow", "drinking from a stream", "resting under a tree",
                "hunting at dawn", "swimming", "running through tall grass"],
        place=["in a misty forest", "in the mountains", "in a meadow",
               "under the northern lights", "in a bamboo forest", "on a rocky shore"]),
    "landscape": dict(
        noun=["mountain lake", "waterfall", "lavender field", "old oak tree", "canyon",
              "glacier", "volcano", "rice terraces", "desert dunes", "fjord", "coastline",
              "valley"],
        action=["at sunrise", "under a starry sky", "in autumn", "after a storm",
                "reflected in still water", "in winter"],
        place=["in iceland", "in the swiss alps", "in norway", "in patagonia",
               "in the scottish highlands", "in new zealand"]),
    "urban": dict(
        noun=["city street", "tokyo alley", "street market", "cafe interior",
              "subway station", "rooftop garden", "skyscraper", "bookstore", "ramen shop",
              "laundromat", "neon arcade", "train platform"],
        action=["at night", "in the rain", "during rush hour", "at dawn",
                "during a festival", "after the rain"],
        place=["in tokyo", "in new york", "in paris", "in hong kong",
               "in a small italian town", "in seoul"]),
    "portrait": dict(
        noun=["old fisherman", "young woman", "elderly man", "girl with red hair", "samurai",
              "geisha", "viking warrior", "street musician", "pilot", "queen", "little boy",
              "ballerina", "buddhist monk", "witch", "cyberpunk hacker"],
        action=["looking at the camera", "smiling", "in profile", "with closed eyes",
                "holding a lantern", "playing a violin", "drinking coffee"],
        place=["in a dark room", "against a white background", "in a field of flowers",
               "by a window", "on a busy street", "in a studio"]),
    "cute_animals": dict(
        noun=["cat", "corgi", "red panda", "baby owl", "hamster", "bunny", "kitten",
              "otter", "axolotl", "shiba inu", "penguin", "frog", "capybara"],
        action=["wearing a tiny hat", "sleeping", "drinking tea", "reading a book",
                "playing with yarn", "eating ramen", "as an astronaut", "in a spacesuit"],
        place=["on a windowsill", "in a teacup", "in a cozy room", "in a garden",
               "on a pile of books", "in a basket"]),
    "architecture": dict(
        noun=["gothic cathedral", "lighthouse", "treehouse", "cottage", "japanese temple",
              "floating city", "library", "greenhouse", "abandoned factory", "castle",
              "modern villa", "underwater dome", "windmill"],
        action=["overgrown with ivy", "at sunset", "covered in snow", "in ruins",
                "lit by lanterns", "under construction"],
        place=["on a cliff", "by the sea", "in the mountains", "in a forest clearing",
               "on a floating island", "in a desert oasis"]),
    "food": dict(
        noun=["bowl of ramen", "still life of fruit", "cup of coffee", "stack of pancakes",
              "sushi platter", "birthday cake", "bottle of wine", "vase of flowers",
              "potion bottles", "croissant", "burger"],
        action=["on a wooden table", "with steam rising", "on a marble counter",
                "with scattered petals", "with dramatic splash"],
        place=["in a rustic kitchen", "in a cafe", "on a picnic blanket",
               "in a michelin restaurant"]),
    "vehicles": dict(
        noun=["vintage car", "steam locomotive", "motorcycle", "sailing ship",
              "hot air balloon", "airship", "submarine", "race car", "pirate ship", "tram",
              "camper van"],
        action=["speeding down a highway", "crossing a bridge", "sailing through a storm",
                "parked on a street", "flying over a city"],
        place=["in the desert", "in the alps", "at a harbor",
               "in a 1950s diner parking lot", "on route 66"]),
    "horror": dict(
        noun=["haunted house", "ghost", "creepy doll", "scarecrow", "eldritch creature",
              "plague doctor", "vampire", "abandoned asylum", "shadow figure",
              "skeleton king", "wendigo"],
        action=["in the fog", "at midnight", "emerging from the dark",
                "watching from a window", "covered in cobwebs"],
        place=["in a graveyard", "in a dark forest", "in an old mansion",
               "in a flooded basement", "in an empty hallway"]),
    "abstract": dict(
        noun=["abstract shapes", "fractal", "flowing liquid", "geometric pattern",
              "swirling galaxy", "crystal structure", "melting clock", "spiral staircase",
              "infinite corridor", "dreamscape", "human heart made of flowers"],
        action=["made of glass", "made of smoke", "exploding into particles",
                "dissolving into light"],
        place=["in a void", "on a white background", "in zero gravity",
               "inside a snow globe"]),
    "mythology": dict(
        noun=["medusa", "zeus", "anubis", "valkyrie", "kitsune", "minotaur", "poseidon",
              "odin", "quetzalcoatl", "kraken", "athena"],
        action=["rising from the sea", "on a throne", "in battle", "guarding the gates",
                "surrounded by ravens"],
        place=["on mount olympus", "in the underworld", "in valhalla",
               "in an ancient greek temple", "in a jade palace"]),
}
IMAGE_ADJ = ["majestic", "ancient", "tiny", "giant", "cute", "beautiful", "mysterious",
             "lonely", "futuristic", "old", "young", "fierce", "elegant", "colorful",
             "glowing", "weathered", "cozy", "abandoned", "ornate", "steampunk", "crystal",
             "mechanical", "ethereal", "dark", "fluffy", "massive", "serene", "wild"]
IMAGE_FRAMING = ["portrait of", "close-up of", "a painting of", "an illustration of",
                 "a photo of", "concept art of", "a cinematic shot of",
                 "a detailed drawing of", "wallpaper of", "character design of",
                 "a poster of", "a render of"]

TEXT_CATS = {
    "tone": ["humorous", "melancholic", "dark", "uplifting", "whimsical", "sarcastic",
             "formal", "casual", "poetic", "suspenseful", "heartwarming", "bittersweet",
             "dry wit", "ominous", "nostalgic", "playful", "earnest", "absurdist",
             "inspirational", "deadpan"],
    "author": ["in the style of raymond carver", "in the style of ernest hemingway",
               "in the style of edgar allan poe", "in the style of terry pratchett",
               "in the style of ursula k. le guin", "in the style of haruki murakami",
               "in the style of jane austen", "in the style of h.p. lovecraft",
               "in the style of dr. seuss", "in the style of neil gaiman",
               "in the style of mary oliver", "in the style of kurt vonnegut",
               "in the style of agatha christie", "in the style of shakespeare",
               "in the style of emily dickinson", "in the style of douglas adams"],
    "audience": ["for children", "for teenagers", "for a general audience", "for experts",
                 "for a wedding toast", "for a linkedin post", "for a newsletter",
                 "for a bedtime read", "for a fantasy rpg campaign", "for social media",
                 "for a school assignment", "for a podcast intro"],
    "length": ["under 100 words", "under 200 words", "about 500 words", "one paragraph",
               "three paragraphs", "4 stanzas", "14 lines", "short", "very short",
               "1000 words", "two sentences"],
    "pov": ["first person", "second person", "third person limited", "omniscient narrator",
            "from the villain's perspective", "from a child's perspective",
            "from the dog's perspective", "as a series of letters", "as a diary entry"],
    "constraint": ["rhyming", "no rhymes", "iambic pentameter", "free verse",
                   "with a twist ending", "with dialogue", "no adjectives",
                   "include a metaphor about the sea", "end with a question",
                   "present tense", "past tense", "use simple words", "with vivid imagery",
                   "avoid cliches", "open ending", "cliffhanger ending"],
    "format": ["with a title", "with headings", "as bullet points", "as a numbered list",
               "in markdown", "as a script", "with stage directions", "as a haiku sequence",
               "as a table", "with a moral at the end"],
}
TEXT_CAT_MAX = {"tone": 2, "author": 1, "audience": 1, "length": 1, "pov": 1,
                "constraint": 3, "format": 2}
TEXT_EXCL = {"author": 0.3, "length": 0.4, "pov": 0.3}
TEXT_THEMES = {
    "fantasy": dict(form=["short story", "poem", "legend", "quest description", "ballad"],
                    topic=["a dragon who is afraid of fire", "a lost kingdom under the sea",
                           "a wizard's apprentice who forgets every spell",
                           "a sword that chooses its owner", "the last unicorn",
                           "a village protected by a sleeping giant"]),
    "scifi": dict(form=["short story", "log entry", "news report", "poem", "monologue"],
                  topic=["the first colony on mars", "a robot learning to paint",
                         "an ai that falls in love", "a generation ship that lost its way",
                         "time travel gone wrong", "the last human on earth"]),
    "everyday": dict(form=["essay", "blog post", "letter", "poem", "short story", "speech"],
                     topic=["a rainy monday morning", "moving to a new city",
                            "my grandmother's kitchen", "learning to ride a bike",
                            "a missed train", "working from home", "the first day of school"]),
    "mystery": dict(form=["short story", "opening chapter", "scene", "case file"],
                    topic=["a locked-room murder", "a missing painting",
                           "a detective who can talk to ghosts",
                           "a letter that arrives 50 years late",
                           "a stranger in a small town"]),
    "romance": dict(form=["love letter", "poem", "short story", "song lyrics", "scene"],
                    topic=["two strangers on a night train", "a love found in a bookstore",
                           "rivals who fall in love", "a summer romance in italy",
                           "a long-distance relationship"]),
    "nature": dict(form=["haiku", "poem", "essay", "meditation", "description"],
                   topic=["autumn leaves falling", "the ocean at night",
                          "a mountain at sunrise", "a thunderstorm", "a bee in a garden",
                          "the first snow"]),
    "humor": dict(form=["limerick", "stand-up bit", "satirical article", "short story",
                        "product review"],
                  topic=["a cat running a company", "a toaster with feelings",
                         "a pigeon who thinks he is a detective",
                         "the worst job interview ever", "a haunted smart fridge"]),
    "business": dict(form=["product description", "email", "press release", "tweet thread",
                           "tagline ideas"],
                     topic=["a new eco-friendly water bottle", "a coffee subscription",
                            "a productivity app", "a small bakery opening",
                            "a sustainable fashion brand"]),
}

MUSIC_CATS = {
    "instrument": ["piano", "acoustic guitar", "electric guitar", "synth pads", "strings",
                   "cello", "violin", "808 bass", "analog synth", "rhodes piano", "saxophone",
                   "trumpet", "flute", "harp", "drum machine", "live drums", "upright bass",
                   "choir", "organ", "kalimba", "sitar", "koto", "shamisen", "banjo",
                   "accordion", "marimba", "bagpipes", "didgeridoo", "music box",
                   "distorted bass", "arpeggiated synth", "brass section", "tabla",
                   "steel drums", "glockenspiel"],
    "mood": ["chill", "melancholic", "uplifting", "dark", "epic", "dreamy", "energetic",
             "relaxing", "nostalgic", "mysterious", "happy", "sad", "aggressive",
             "romantic", "tense", "hopeful", "groovy", "hypnotic", "triumphant", "eerie"],
    "tempo": ["60 bpm", "70 bpm", "80 bpm", "90 bpm", "100 bpm", "110 bpm", "120 bpm",
              "128 bpm", "140 bpm", "174 bpm", "slow tempo", "fast tempo", "mid-tempo",
              "half-time feel"],
    "production": ["lo-fi", "analog warmth", "reverb heavy", "tape saturation",
                   "vinyl crackle", "crisp mix", "wide stereo", "sidechain compression",
                   "minimal", "lush", "punchy drums", "heavy bass", "ambient textures",
                   "field recordings", "bitcrushed", "clean production", "live recording",
                   "studio quality", "high fidelity", "layered harmonies"],
    "era": ["80s", "90s", "70s", "60s", "2000s", "baroque era", "romantic era",
            "retro", "futuristic", "vintage"],
    "vocals": ["instrumental", "female vocals", "male vocals", "choir vocals",
               "whispered vocals", "vocal chops", "rap verse", "falsetto", "no vocals",
               "duet", "spoken word", "humming"],
    "key": ["in a minor", "in c major", "in d minor", "in e minor", "in f major",
            "in g major", "major key", "minor key", "modal", "dorian mode"],
}
MUSIC_CAT_MAX = {"instrument": 4, "mood": 3, "tempo": 1, "production": 3, "era": 1,
                 "vocals": 1, "key": 1}
MUSIC_EXCL = {"tempo": 0.4, "vocals": 0.3, "era": 0.2, "key": 0.2}
MUSIC_THEMES = {
    "electronic": dict(genre=["synthwave", "techno", "house", "drum and bass", "dubstep",
                              "trance", "idm", "chiptune", "future bass", "deep house"],
                       piece=["track", "beat", "loop", "anthem", "set intro"]),
    "chill": dict(genre=["lo-fi hip hop", "chillhop", "ambient", "downtempo", "chillwave",
                         "bossa nova", "dream pop"],
                  piece=["beat", "track", "loop", "song"]),
    "rock": dict(genre=["indie rock", "post-rock", "punk", "shoegaze", "metal",
                        "classic rock", "grunge", "surf rock"],
                 piece=["song", "riff", "anthem", "ballad", "jam"]),
    "orchestral": dict(genre=["orchestral", "cinematic", "epic orchestral",
                              "neoclassical", "chamber music", "film score"],
                       piece=["piece", "theme", "score", "overture", "cue"]),
    "jazz": dict(genre=["jazz", "smooth jazz", "bebop", "jazz fusion", "swing", "blues",
                        "soul", "funk"],
                 piece=["tune", "jam", "ballad", "groove", "standard"]),
    "hiphop": dict(genre=["hip hop", "trap", "boom bap", "drill", "r&b", "phonk"],
                   piece=["beat", "instrumental", "track", "song"]),
    "world": dict(genre=["celtic folk", "flamenco", "afrobeat", "reggae", "k-pop",
                         "japanese city pop", "bollywood", "sea shanty", "folk"],
                  piece=["song", "tune", "dance track", "ballad"]),
    "game": dict(genre=["8-bit", "video game", "rpg", "fantasy tavern", "boss battle",
                        "horror game"],
                 piece=["theme", "music", "loop", "soundtrack"]),
}
MUSIC_USES = ["for studying", "for a rainy day", "for a boss fight", "for a road trip",
              "for a video game menu", "for a workout", "for sleeping", "for a sunset drive",
              "for a fantasy tavern", "for a horror movie trailer", "for a wedding",
              "about heartbreak", "about summer nights", "about the ocean", "for meditation"]

IMAGE_MODELS = ["sd-v1-5", "sdxl-base-1.0", "dreamshaper-8", "realisticVision-v5.1",
                "juggernautXL-v9", "animagine-xl-3.1", "flux-dev", "flux-schnell",
                "sd3-medium", "ponyDiffusionXL", "deliberate-v3", "playground-v2.5"]
SAMPLERS = ["Euler a", "Euler", "DPM++ 2M Karras", "DPM++ SDE Karras", "DPM++ 2M SDE",
            "DDIM", "UniPC", "LMS", "Heun", "DPM++ 3M SDE"]
SIZES = ["512x512", "512x768", "768x512", "768x768", "1024x1024", "832x1216",
         "1216x832", "896x1152", "1152x896", "1344x768", "768x1344", "640x960"]
NEG_TERMS = ["blurry", "lowres", "bad anatomy", "bad hands", "extra fingers", "watermark",
             "text", "jpeg artifacts", "deformed", "ugly", "worst quality", "low quality",
             "signature", "cropped", "out of frame", "disfigured", "mutated", "extra limbs",
             "poorly drawn face", "duplicate", "username", "nsfw", "cartoon", "3d"]
TEXT_MODELS = ["llama-3-8b-instruct", "mistral-7b-instruct", "qwen2.5-7b", "gemma-2-9b",
               "phi-3-mini"]
MUSIC_MODELS = ["musicgen-small", "musicgen-medium", "musicgen-large", "stable-audio-open",
                "audioldm2"]


class Domain:
    def __init__(self, name, cats, cat_max, excl, cat_mean, themes):
        self.name = name
        self.cats = cats
        self.cat_names = list(cats.keys())
        self.cat_max = cat_max
        self.excl = excl
        self.cat_mean = cat_mean
        self.themes = themes
        self.theme_names = list(themes.keys())


DOMAINS = {
    "image": Domain("image", IMAGE_CATS, IMAGE_CAT_MAX, IMAGE_EXCL, IMAGE_CAT_MEAN,
                    IMAGE_THEMES),
    "text": Domain("text", TEXT_CATS, TEXT_CAT_MAX, TEXT_EXCL, {}, TEXT_THEMES),
    "music": Domain("music", MUSIC_CATS, MUSIC_CAT_MAX, MUSIC_EXCL, {}, MUSIC_THEMES),
}

VARIANTS = {
    "balanced": dict(n_mods=(3.0, 11.0), sig_len=(0, 5), p_weight_user=0.3,
                     p_text_user=0.2, p_music_user=0.1, patience=(2, 7),
                     p_explore_persist=(0.3, 0.8), edit2=(0.15, 0.5), batch=(1, 4),
                     p_fix_seed=0.3, react=(0.3, 0.95), subj_verbose=(0.2, 0.8),
                     p_sig=(0.0, 0.9), exploit_len=(1, 6), sess=(6, 45)),
    "tinkerer": dict(n_mods=(7.0, 18.0), sig_len=(3, 9), p_weight_user=0.6,
                     p_text_user=0.08, p_music_user=0.04, patience=(4, 12),
                     p_explore_persist=(0.5, 0.95), edit2=(0.3, 0.7), batch=(2, 8),
                     p_fix_seed=0.55, react=(0.5, 0.98), subj_verbose=(0.3, 0.9),
                     p_sig=(0.5, 1.0), exploit_len=(2, 10), sess=(15, 80)),
    "casual": dict(n_mods=(0.5, 4.5), sig_len=(0, 2), p_weight_user=0.05,
                   p_text_user=0.4, p_music_user=0.25, patience=(1, 4),
                   p_explore_persist=(0.1, 0.5), edit2=(0.05, 0.3), batch=(1, 2),
                   p_fix_seed=0.05, react=(0.1, 0.8), subj_verbose=(0.5, 1.0),
                   p_sig=(0.0, 0.4), exploit_len=(1, 4), sess=(3, 20)),
}

_ND = NormalDist()


def seed_z(seed):
    """Deterministic N(0,1) value for an output seed (same seed -> same noise)."""
    h = (seed * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x45D9F3B) & 0xFFFFFFFF
    h ^= h >> 16
    u = (h + 0.5) / 4294967296.0
    return _ND.inv_cdf(u)


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def article(word):
    if word in NO_ARTICLE:
        return ""
    return "an" if word[:1] in "aeiou" else "a"


def with_article(word):
    a = article(word)
    return (a + " " + word) if a else word


# ---------------------------------------------------------------------------
# Global (shared) term values
# ---------------------------------------------------------------------------

def make_global(rng):
    g = {}
    for dn, dom in DOMAINS.items():
        g[dn] = {}
        for c in dom.cat_names:
            mu = dom.cat_mean.get(c, 0.0)
            g[dn][c] = rng.normal(mu, 0.45, len(dom.cats[c]))
        # global popularity (how likely people reach for a term) ~ partly value
        g[dn]["_theme"] = rng.normal(0, 0.3, len(dom.theme_names))
    pop = {}
    for dn, dom in DOMAINS.items():
        pop[dn] = {}
        for c in dom.cat_names:
            boost = np.array([1.8 if t in POPULAR else 0.0 for t in dom.cats[c]])
            pop[dn][c] = 0.6 * g[dn][c] + rng.normal(0, 0.8, len(dom.cats[c])) + boost
    return g, pop


# ---------------------------------------------------------------------------
# User
# ---------------------------------------------------------------------------

class User:
    def __init__(self, uid, rng, var, G, gvals, gpop, t0):
        self.uid = uid
        self.rng = rng
        self.var = var
        self.t = t0
        R = rng
        self.n_target = max(2, round(G * float(np.clip(R.lognormal(0, 0.3), 0.5, 1.8))))
        # modality mix
        mix = {"image": 1.0}
        if R.random() < var["p_text_user"]:
            mix["text"] = R.uniform(0.05, 0.6)
        if R.random() < var["p_music_user"]:
            mix["music"] = R.uniform(0.05, 0.5)
        if len(mix) > 1 and R.random() < 0.15:
            mix["image"] = R.uniform(0.05, 0.4)   # mostly non-image user
        tot = sum(mix.values())
        self.mod_names = list(mix)
        self.mod_p = np.array([mix[m] / tot for m in self.mod_names])

        # hidden utilities and tastes
        self.a_glob = R.uniform(0.2, 1.2)
        self.b_pers = R.uniform(0.4, 1.4)
        self.rho = R.uniform(0.1, 0.8)          # how well taste matches utility
        self.conc = R.lognormal(math.log(8), 0.8)   # Dirichlet concentration (low = peaky)
        self.drift_lam = R.uniform(0.02, 0.3)   # per-session taste drift
        self.drift_u = R.uniform(0.01, 0.12)    # per-session utility drift
        self.learn = R.uniform(0.0, 0.3)        # taste reinforcement from liked outputs
        self.gvals = gvals
        self.pers = {}
        self.U = {}
        self.base_logit = {}
        self.taste = {}
        self.cat_taste = {}
        self.theme_taste = {}
        self.subj_u = {}
        for dn, dom in DOMAINS.items():
            self.pers[dn] = {c: R.normal(0, 0.6, len(dom.cats[c])) for c in dom.cat_names}
            self.base_logit[dn] = {c: gpop[dn][c] * R.uniform(0.3, 1.0)
                                   + R.normal(0, 0.7, len(dom.cats[c]))
                                   for c in dom.cat_names}
            self._recompute_u(dn)
            self.taste[dn] = {c: self._dir(self._base(dn, c)) for c in dom.cat_names}
            prior = np.array([CAT_PRIOR.get(c, 1.0) for c in dom.cat_names])
            cw = R.dirichlet(prior / prior.sum() * len(prior) * R.uniform(0.5, 3.0))
            self.cat_taste[dn] = cw
            nth = len(dom.theme_names)
            self.theme_taste[dn] = R.dirichlet(np.full(nth, R.uniform(0.15, 1.5)))
            su = {}
            for th in dom.theme_names:
                su[th] = {s: R.normal(0, 0.3, len(v)) for s, v in dom.themes[th].items()}
            su["_theme"] = gvals[dn]["_theme"] * 0.5 + R.normal(0, 0.4, nth)
            su["_adj"] = R.normal(0, 0.25, len(IMAGE_ADJ))
            su["_framing"] = R.normal(0, 0.25, len(IMAGE_FRAMING))
            su["_use"] = R.normal(0, 0.25, len(MUSIC_USES))
            self.subj_u[dn] = su

        # prompt length / style habits
        lo, hi = var["n_mods"]
        self.n_pref = R.uniform(lo, hi)
        self.n_opt = self.n_pref + R.normal(0, 2.0)
        self.overload = R.uniform(0.005, 0.04)
        self.sep = ", " if R.random() < 0.88 else ","
        self.capitalize = R.random() < 0.15
        self.artist_fmt = R.choice(["by {}", "art by {}", "in the style of {}", "{}",
                                    "by {}", "style of {}"])
        self.artist_join = R.random() < 0.35
        self.quality_front = R.random() < 0.55
        r = R.random()
        pw = var["p_weight_user"]
        self.weight_style = "colon" if r < pw * 0.75 else ("paren" if r < pw else "none")
        self.p_weighted = R.uniform(0.05, 0.35) if self.weight_style != "none" else 0.0
        self.cat_order = list(R.permutation(DOMAINS["image"].cat_names))
        if "quality" in self.cat_order:
            self.cat_order.remove("quality")
        self.subj_verbose = R.uniform(*var["subj_verbose"])
        self.use_article = R.random() < 0.6
        self.text_fmt = int(R.integers(0, 4))
        # signature string
        sl = int(R.integers(var["sig_len"][0], var["sig_len"][1] + 1))
        self.signature = []
        dimg = DOMAINS["image"]
        for _ in range(sl):
            c = str(R.choice(["quality", "quality", "quality", "lighting", "camera", "style",
                              "render"]))
            i = int(R.choice(len(dimg.cats[c]), p=self.taste["image"][c]))
            if (c, i) not in [(a, b) for a, b, _w in self.signature]:
                self.signature.append((c, i, 1.0))
        self.p_sig = R.uniform(*var["p_sig"]) if self.signature else 0.0

        # image params habits
        k = int(R.integers(1, 4))
        self.models = list(R.choice(IMAGE_MODELS, size=k, replace=False))
        self.model_p = R.dirichlet(np.ones(k) * 0.7)
        self.model_u = {m: R.normal(0, 0.3) for m in IMAGE_MODELS}
        self.sampler = str(R.choice(SAMPLERS))
        self.sampler_u = {s: R.normal(0, 0.1) for s in SAMPLERS}
        self.steps = int(R.choice([20, 20, 25, 28, 30, 30, 35, 40, 50, 8, 4]))
        self.cfg = float(R.choice([4.5, 5.0, 6.0, 7.0, 7.0, 7.5, 8.0, 9.0, 3.5, 1.0]))
        self.cfg_opt = R.uniform(4.0, 9.0)
        self.size = str(R.choice(SIZES))
        self.gpu_speed = R.lognormal(math.log(0.08), 0.7)   # s / step at 512x512
        self.use_neg = R.random() < 0.55
        self.neg = list(R.choice(NEG_TERMS, size=int(R.integers(2, 10)), replace=False))
        self.text_model = str(R.choice(TEXT_MODELS))
        self.temp = round(float(R.choice([0.7, 0.8, 0.9, 1.0, 1.2, 0.5])), 2)
        self.music_model = str(R.choice(MUSIC_MODELS))
        self.music_dur = int(R.choice([10, 15, 20, 30, 30, 45, 60]))

        # behaviour
        self.batch_lo, self.batch_hi = var["batch"]
        self.batch_pref = int(R.integers(self.batch_lo, self.batch_hi + 1))
        self.p_batch_exploit = R.uniform(0.2, 1.0)
        self.patience = int(R.integers(var["patience"][0], var["patience"][1] + 1))
        self.p_explore_persist = R.uniform(*var["p_explore_persist"])
        self.p_edit2 = R.uniform(*var["edit2"])
        self.p_revert = R.uniform(0.15, 0.95)       # edit from best vs from last
        self.p_fix_seed = R.uniform(0.5, 1.0) if R.random() < var["p_fix_seed"] else 0.0
        self.p_same_cat = R.uniform(0.4, 0.9)
        self.insight = R.uniform(0.0, 2.5)
        self.perc_noise = {dn: {c: R.normal(0, 0.5, len(DOMAINS[dn].cats[c]))
                                for c in DOMAINS[dn].cat_names} for dn in DOMAINS}
        op = np.array([R.uniform(0.5, 2), R.uniform(0.3, 1.5), R.uniform(0.5, 2.0),
                       R.uniform(0.1, 1.0), R.uniform(0.1, 1.5), R.uniform(0.0, 0.3)])
        self.op_w = op   # add, remove, replace, rephrase, reweight, move
        self.p_reuse_mods = R.uniform(0.0, 0.5)
        self.exploit_len = var["exploit_len"]
        self.p_param_tweak = R.uniform(0.05, 0.6)
        self.promising = R.uniform(-0.4, 0.5)
        self.great = self.promising + R.uniform(0.4, 1.3)
        self.p_return = R.uniform(0.02, 0.3)
        self.p_resume = R.uniform(0.2, 0.8)
        self.eta = R.uniform(0.02, 0.15)
        self.E = R.normal(0, 0.3)
        self.exp_anchor = R.uniform(0.2, 0.8)      # relative vs absolute thresholds
        self.abs_level = R.normal(0.2, 0.4)
        self.noise_sd = R.uniform(0.25, 0.8)
        self.bored_rate = R.uniform(0.0, 0.12)
        # reactions
        self.p_react = R.uniform(*var["react"])
        self.keep_off = R.uniform(-0.3, 0.7)
        self.fav_off = self.keep_off + R.uniform(0.4, 1.5)
        self.del_off = R.uniform(-0.2, 1.0)
        self.p_del = R.uniform(0.0, 0.9) if R.random() < 0.8 else 0.0
        self.p_keep = R.uniform(0.3, 1.0)
        self.p_fav = R.uniform(0.2, 1.0) if R.random() < 0.85 else 0.0
        self.p_keep_with_fav = R.uniform(0.0, 1.0)
        self.p_rate = R.uniform(0.1, 0.9) if R.random() < 0.45 else 0.0
        self.rate_bias = R.normal(0, 0.5)
        self.rate_scale = R.uniform(0.6, 1.8)
        self.p_defer = R.uniform(0.0, 0.6) if R.random() < 0.35 else 0.0
        self.think = R.lognormal(0, 0.45)
        self.sess_mean = R.uniform(*var["sess"])
        self.gap_med = R.lognormal(math.log(14 * 3600), 0.9)

        # state
        self.events = []
        self.n_gen = 0
        self.gen_count_id = 0
        self.id_salt = int(R.integers(0, 2 ** 32))
        self.liked = []        # (idea snapshot, q, n_gen)
        self.phase = "explore"
        self.idea = None
        self.last = None       # last generated prompt state
        self.no_improve = 0
        self.exploit_left = 0
        self.repeat_count = {}

    # -- taste machinery ---------------------------------------------------
    def _recompute_u(self, dn):
        self.U[dn] = {c: self.a_glob * self.gvals[dn][c] + self.b_pers * self.pers[dn][c]
                      for c in DOMAINS[dn].cat_names}

    def _base(self, dn, c):
        z = self.base_logit[dn][c] * math.sqrt(max(0.0, 1 - self.rho ** 2)) \
            + self.rho * 2.0 * self.U[dn][c]
        return softmax(z)

    def _dir(self, base):
        a = self.conc * base * len(base) ** 0.5 + 1e-3
        p = self.rng.dirichlet(a)
        p = p + 1e-9
        return p / p.sum()

    def drift(self):
        R = self.rng
        for dn, dom in DOMAINS.items():
            for c in dom.cat_names:
                n = len(dom.cats[c])
                self.pers[dn][c] = 0.98 * self.pers[dn][c] + R.normal(0, self.drift_u, n)
                self.base_logit[dn][c] = 0.97 * self.base_logit[dn][c] + R.normal(0, 0.15, n)
            self._recompute_u(dn)
            lam = self.drift_lam
            for c in dom.cat_names:
                self.taste[dn][c] = ((1 - lam) * self.taste[dn][c]
                                     + lam * self._dir(self._base(dn, c)))
            k = len(dom.cat_names)
            prior = np.array([CAT_PRIOR.get(c, 1.0) for c in dom.cat_names])
            self.cat_taste[dn] = (1 - lam) * self.cat_taste[dn] \
                + lam * R.dirichlet(prior / prior.sum() * k * 1.5)
            nt = len(dom.theme_names)
            self.theme_taste[dn] = ((1 - lam) * self.theme_taste[dn]
                                    + lam * R.dirichlet(np.full(nt, 0.5)))

    def reinforce(self, idea, strength):
        if self.learn <= 0:
            return
        dn = idea["dom"]
        lr = self.learn * strength
        for c, i, _w in idea["mods"]:
            p = self.taste[dn][c]
            p[i] += lr * 0.2
            p /= p.sum()
        th = DOMAINS[dn].theme_names.index(idea["subj"]["theme"])
        tt = self.theme_taste[dn]
        tt[th] += lr * 0.1
        tt /= tt.sum()

    # -- sampling ----------------------------------------------------------
    def sample_term(self, dn, c, exclude):
        p = self.taste[dn][c].copy()
        for i in exclude:
            p[i] = 0.0
        s = p.sum()
        if s <= 0:
            return None
        return int(self.rng.choice(len(p), p=p / s))

    def sample_cat(self, dn, counts, avoid=None, theme=None):
        dom = DOMAINS[dn]
        w = self.cat_taste[dn].copy()
        for j, c in enumerate(dom.cat_names):
            if counts.get(c, 0) >= dom.cat_max[c] or c == avoid:
                w[j] = 0.0
            elif c == "detail" and dn == "image" and theme not in CHAR_THEMES:
                w[j] *= 0.1
        s = w.sum()
        if s <= 0:
            return None
        return dom.cat_names[int(self.rng.choice(len(w), p=w / s))]

    def new_weight(self):
        if self.weight_style == "none" or self.rng.random() >= self.p_weighted:
            return 1.0
        return float(self.rng.choice([1.1, 1.2, 1.2, 1.3, 1.4, 1.5, 0.8, 0.9]))

    def new_subject(self, dn):
        R = self.rng
        dom = DOMAINS[dn]
        th = dom.theme_names[int(R.choice(len(dom.theme_names), p=self.theme_taste[dn]))]
        slots = dom.themes[th]
        s = {"theme": th}
        v = self.subj_verbose
        if dn == "image":
            s["noun"] = int(R.integers(len(slots["noun"])))
            s["adj"] = self.pick_adj(th) if R.random() < 0.3 + 0.4 * v else None
            s["action"] = int(R.integers(len(slots["action"]))) if R.random() < 0.55 * v else None
            s["place"] = int(R.integers(len(slots["place"]))) if R.random() < 0.6 * v else None
            s["framing"] = self.pick_framing(th) if R.random() < 0.25 else None
        elif dn == "text":
            s["form"] = int(R.integers(len(slots["form"])))
            s["topic"] = int(R.integers(len(slots["topic"])))
        else:
            s["genre"] = int(R.integers(len(slots["genre"])))
            s["piece"] = int(R.integers(len(slots["piece"])))
            s["use"] = int(R.integers(len(MUSIC_USES))) if R.random() < 0.5 * v + 0.1 else None
        return s

    def pick_adj(self, theme):
        bad = ADJ_OBJ_ONLY if theme in CHAR_THEMES else ADJ_CHAR_ONLY
        while True:
            k = int(self.rng.integers(len(IMAGE_ADJ)))
            if IMAGE_ADJ[k] not in bad:
                return k

    def pick_framing(self, theme):
        while True:
            k = int(self.rng.integers(len(IMAGE_FRAMING)))
            if theme in CHAR_THEMES or IMAGE_FRAMING[k] not in CHAR_FRAMING:
                return k

    def new_params(self, dn):
        R = self.rng
        if dn == "image":
            m = self.models[int(R.choice(len(self.models), p=self.model_p))]
            p = {"model": m, "steps": self.steps, "cfg": self.cfg, "sampler": self.sampler,
                 "size": self.size, "seed": 0}
            if self.use_neg:
                p["negative_prompt"] = ", ".join(self.neg)
            return p
        if dn == "text":
            return {"model": self.text_model, "temperature": self.temp,
                    "max_tokens": int(R.choice([256, 512, 512, 1024])), "seed": 0}
        return {"model": self.music_model, "duration": self.music_dur, "seed": 0}

    def new_idea(self):
        R = self.rng
        dn = self.mod_names[int(R.choice(len(self.mod_names), p=self.mod_p))]
        dom = DOMAINS[dn]
        subj = self.new_subject(dn)
        # reuse modifier set from something liked earlier (style transfer)
        cands = [x for x in self.liked if x[0]["dom"] == dn]
        if cands and R.random() < self.p_reuse_mods:
            src = cands[int(R.integers(len(cands)))][0]
            mods = list(src["mods"])
            params = dict(src["params"])
            return {"dom": dn, "subj": subj, "mods": mods, "params": params}
        scale = 1.0 if dn == "image" else 0.5
        n = int(R.poisson(max(0.2, self.n_pref * scale)))
        mods = []
        counts = {}
        if dn == "image" and self.signature and R.random() < self.p_sig:
            for m in self.signature:
                mods.append(m)
                counts[m[0]] = counts.get(m[0], 0) + 1
        chosen = []
        n_free = max(0, n - len(mods)) if mods else n
        for _ in range(n_free):
            c = self.sample_cat(dn, counts, theme=subj["theme"])
            if c is None:
                break
            ex = [i for cc, i, _w in mods + chosen if cc == c]
            i = self.sample_term(dn, c, ex)
            if i is None:
                continue
            chosen.append((c, i, self.new_weight()))
            counts[c] = counts.get(c, 0) + 1
        # order chosen by the user's habitual category order (with jitter)
        if dn == "image":
            order = {c: k + R.normal(0, 1.5) for k, c in enumerate(self.cat_order)}
            order["quality"] = -100 if self.quality_front else 100
            chosen.sort(key=lambda m: order[m[0]] + R.normal(0, 0.3))
            if self.quality_front:
                mods = mods + chosen
                mods.sort(key=lambda m: 0 if m[0] == "quality" else 1)
            else:
                mods = chosen + mods
        else:
            order = {c: k + R.normal(0, 1.0) for k, c in enumerate(dom.cat_names)}
            chosen.sort(key=lambda m: order[m[0]])
            mods = chosen
        return {"dom": dn, "subj": subj, "mods": mods, "params": self.new_params(dn)}

    # -- rendering ---------------------------------------------------------
    def fmt_term(self, dn, c, i, w):
        t = DOMAINS[dn].cats[c][i]
        if dn == "image" and c == "artist":
            t = self.artist_fmt.format(t)
        if w != 1.0 and self.weight_style != "none":
            if self.weight_style == "colon":
                t = f"({t}:{w:.1f})"
            else:
                k = round(math.log(w) / math.log(1.1))
                if k > 0:
                    t = "(" * k + t + ")" * k
                elif k < 0:
                    t = "[" * (-k) + t + "]" * (-k)
        return t

    def render_subject(self, dn, s):
        slots = DOMAINS[dn].themes[s["theme"]]
        if dn == "image":
            noun = slots["noun"][s["noun"]]
            head = noun
            if s["adj"] is not None:
                head = IMAGE_ADJ[s["adj"]] + " " + head
            bare = noun in NO_ARTICLE and s["adj"] is None
            if s["framing"] is not None:
                head = IMAGE_FRAMING[s["framing"]] + " " + (head if bare else with_article(head))
            elif self.use_article and not bare:
                head = with_article(head)
            if s["action"] is not None:
                head += " " + slots["action"][s["action"]]
            if s["place"] is not None:
                head += " " + slots["place"][s["place"]]
            return head
        if dn == "text":
            form = slots["form"][s["form"]]
            topic = slots["topic"][s["topic"]]
            f = self.text_fmt
            if f == 0:
                return f"write {with_article(form)} about {topic}"
            if f == 1:
                return f"{form} about {topic}"
            if f == 2:
                return f"Write {with_article(form)} about {topic}"
            return f"{with_article(form)} about {topic}"
        g = slots["genre"][s["genre"]] + " " + slots["piece"][s["piece"]]
        if s["use"] is not None:
            g += " " + MUSIC_USES[s["use"]]
        return g

    def render(self, idea):
        dn = idea["dom"]
        parts = [self.render_subject(dn, idea["subj"])]
        mods = idea["mods"]
        if dn == "image" and self.quality_front:
            q = [m for m in mods if m[0] == "quality"]
            nq = [m for m in mods if m[0] != "quality"]
            lead = [self.fmt_term(dn, *m) for m in q]
            mods = nq
        else:
            lead = []
        rest = []
        k = 0
        while k < len(mods):
            c, i, w = mods[k]
            if dn == "image" and c == "artist" and self.artist_join and w == 1.0:
                names = [DOMAINS[dn].cats[c][i]]
                while k + 1 < len(mods) and mods[k + 1][0] == "artist" and mods[k + 1][2] == 1.0:
                    k += 1
                    names.append(DOMAINS[dn].cats[c][mods[k][1]])
                rest.append(self.artist_fmt.format(" and ".join(names)))
            else:
                rest.append(self.fmt_term(dn, c, i, w))
            k += 1
        allp = lead + parts + rest
        s = self.sep.join(allp)
        if self.capitalize:
            s = s[:1].upper() + s[1:]
        return s

    # -- hidden quality ----------------------------------------------------
    def true_quality(self, idea):
        dn = idea["dom"]
        dom = DOMAINS[dn]
        su = self.subj_u[dn]
        s = idea["subj"]
        th = s["theme"]
        ti = dom.theme_names.index(th)
        q = su["_theme"][ti]
        for slot, v in s.items():
            if slot == "theme" or v is None:
                continue
            if slot == "adj":
                q += su["_adj"][v]
            elif slot == "framing":
                q += su["_framing"][v]
            elif slot == "use":
                q += su["_use"][v]
            else:
                q += su[th][slot][v]
        tot = 0.0
        counts = {}
        U = self.U[dn]
        for c, i, w in idea["mods"]:
            u = U[c][i]
            tot += u * (1 + 0.6 * (w - 1)) - 0.8 * max(0.0, w - 1.35) - 0.4 * max(0.0, 0.75 - w)
            counts[c] = counts.get(c, 0) + 1
        n = len(idea["mods"])
        q += tot / (1 + n) ** 0.45
        q -= self.overload * max(0.0, n - self.n_opt) ** 2
        for c, pen in dom.excl.items():
            q -= pen * max(0, counts.get(c, 0) - 1)
        p = idea["params"]
        if dn == "image":
            q += self.model_u.get(p["model"], 0.0) + self.sampler_u.get(p["sampler"], 0.0)
            q -= 0.015 * (p["cfg"] - self.cfg_opt) ** 2
            if "flux" not in p["model"]:
                q -= 0.05 * max(0.0, 20 - p["steps"])
        elif dn == "text":
            q -= 0.3 * abs(p["temperature"] - 0.85)
        return q

    def key(self, idea):
        return (idea["dom"],
                tuple(sorted((k, v) for k, v in idea["subj"].items() if v is not None)),
                tuple(idea["mods"]))

    # -- edits -------------------------------------------------------------
    def perceived(self, dn, c, i):
        return self.U[dn][c][i] + self.perc_noise[dn][c][i] * (2.5 - self.insight) * 0.4

    def edit(self, idea):
        R = self.rng
        dn = idea["dom"]
        idea = {"dom": dn, "subj": dict(idea["subj"]), "mods": list(idea["mods"]),
                "params": dict(idea["params"])}
        n_edits = 2 if R.random() < self.p_edit2 else 1
        for _ in range(n_edits):
            mods = idea["mods"]
            n = len(mods)
            w = self.op_w.copy()
            pref = self.n_pref * (1.0 if dn == "image" else 0.5)
            w[0] *= math.exp(-(n - pref) / 3.0)         # add
            w[1] *= math.exp((n - pref) / 3.0) if n > 0 else 0.0   # remove
            if n == 0:
                w[2] = 0.0
                w[4] = 0.0
                w[5] = 0.0
            if self.weight_style == "none":
                w[4] = 0.0
            if n < 2:
                w[5] = 0.0
            w = w / w.sum()
            op = int(R.choice(6, p=w))
            counts = {}
            for c, _i, _w in mods:
                counts[c] = counts.get(c, 0) + 1
            if op == 0:
                c = self.sample_cat(dn, counts, theme=idea["subj"]["theme"])
                if c is None:
                    continue
                i = self.sample_term(dn, c, [ii for cc, ii, _ in mods if cc == c])
                if i is None:
                    continue
                m = (c, i, self.new_weight())
                if R.random() < 0.65 or n == 0:
                    mods.append(m)
                else:
                    mods.insert(int(R.integers(0, n + 1)), m)
            elif op == 1:
                pv = np.array([self.perceived(dn, c, i) for c, i, _ in mods])
                p = softmax(-self.insight * pv)
                del mods[int(R.choice(n, p=p))]
            elif op == 2:
                pv = np.array([self.perceived(dn, c, i) for c, i, _ in mods])
                p = softmax(-0.5 * self.insight * pv)
                k = int(R.choice(n, p=p))
                c, i, wt = mods[k]
                if R.random() < self.p_same_cat:
                    nc = c
                else:
                    counts[c] -= 1
                    nc = self.sample_cat(dn, counts, avoid=c, theme=idea["subj"]["theme"]) or c
                ni = self.sample_term(dn, nc, [ii for cc, ii, _ in mods if cc == nc])
                if ni is None:
                    continue
                mods[k] = (nc, ni, wt)
            elif op == 3:
                self.rephrase(idea)
            elif op == 4:
                k = int(R.integers(n))
                c, i, wt = mods[k]
                step = float(R.choice([-0.2, -0.1, 0.1, 0.1, 0.2, 0.3]))
                nw = round(min(1.8, max(0.5, wt + step)), 1)
                mods[k] = (c, i, nw)
            else:
                k = int(R.integers(n))
                m = mods.pop(k)
                mods.insert(int(R.integers(0, n)), m)
        # occasional param fiddling while refining
        if R.random() < self.p_param_tweak * 0.3:
            self.tweak_params(idea)
        return idea

    def rephrase(self, idea):
        R = self.rng
        dn = idea["dom"]
        s = idea["subj"]
        slots = DOMAINS[dn].themes[s["theme"]]
        if dn == "image":
            opts = ["noun", "adj", "action", "place", "framing"]
            pw = np.array([0.2, 0.25, 0.2, 0.25, 0.1])
            slot = opts[int(R.choice(5, p=pw))]
            if slot == "noun":
                s["noun"] = int(R.integers(len(slots["noun"])))
            elif slot == "adj":
                s["adj"] = None if (s["adj"] is not None and R.random() < 0.35) \
                    else self.pick_adj(s["theme"])
            elif slot == "framing":
                s["framing"] = None if (s["framing"] is not None and R.random() < 0.5) \
                    else self.pick_framing(s["theme"])
            else:
                s[slot] = None if (s[slot] is not None and R.random() < 0.35) \
                    else int(R.integers(len(slots[slot])))
        elif dn == "text":
            slot = "form" if R.random() < 0.4 else "topic"
            s[slot] = int(R.integers(len(slots[slot])))
        else:
            r = R.random()
            if r < 0.4:
                s["genre"] = int(R.integers(len(slots["genre"])))
            elif r < 0.6:
                s["piece"] = int(R.integers(len(slots["piece"])))
            else:
                s["use"] = None if (s["use"] is not None and R.random() < 0.3) \
                    else int(R.integers(len(MUSIC_USES)))

    def tweak_params(self, idea):
        R = self.rng
        p = idea["params"]
        dn = idea["dom"]
        if dn == "image":
            r = R.random()
            if r < 0.45:
                p["cfg"] = round(
                    min(15.0, max(1.0, p["cfg"] + float(R.choice([-1, -0.5, 0.5, 1, 1.5])))), 1)
            elif r < 0.65:
                p["steps"] = int(min(80, max(4, p["steps"] + int(R.choice([-10, -5, 5, 10, 20])))))
            elif r < 0.8:
                p["sampler"] = str(R.choice(SAMPLERS))
            elif r < 0.93:
                p["size"] = str(R.choice(SIZES))
            else:
                p["model"] = str(R.choice(self.models if R.random() < 0.6 else IMAGE_MODELS))
        elif dn == "text":
            p["temperature"] = round(
                min(1.6, max(0.1, p["temperature"] + float(R.choice([-0.2, -0.1, 0.1, 0.2])))), 2)
        else:
            p["duration"] = int(R.choice([10, 15, 20, 30, 45, 60]))

    # -- events ------------------------------------------------------------
    def gen_time(self, p, dn):
        R = self.rng
        if dn == "image":
            w, h = (int(x) for x in p["size"].split("x"))
            return p["steps"] * self.gpu_speed * (w * h) / (512 * 512) * R.uniform(0.9, 1.15) + 0.5
        if dn == "text":
            return R.uniform(2, 25)
        return p["duration"] * R.uniform(0.3, 1.2) + 2

    def new_id(self):
        self.gen_count_id += 1
        return f"{self.uid}-{(self.gen_count_id * 2654435761 + self.id_salt) & 0xFFFFFFFF:08x}"

    def emit_generate(self, idea, seed):
        p = dict(idea["params"])
        p["seed"] = int(seed)
        gid = self.new_id()
        ev = {"ts": round(self.t, 3), "user": self.uid, "type": "generate", "id": gid,
              "modality": idea["dom"], "prompt": self.render(idea), "params": p}
        self.events.append(ev)
        self.n_gen += 1
        return gid

    def react(self, gid, q, deferred):
        """Decide reactions for one output; returns list of (type, value)."""
        R = self.rng
        if R.random() >= self.p_react:
            return []
        ref = self.exp_anchor * self.E + (1 - self.exp_anchor) * self.abs_level
        d = q - ref
        out = []
        if d > self.fav_off and R.random() < self.p_fav:
            if R.random() < self.p_keep_with_fav:
                out.append(("keep", None))
            out.append(("favourite", None))
        elif d > self.keep_off and R.random() < self.p_keep:
            out.append(("keep", None))
        elif d < -self.del_off and R.random() < self.p_del:
            out.append(("delete", None))
        if R.random() < self.p_rate:
            v = int(np.clip(round(3 + self.rate_scale * d + self.rate_bias + R.normal(0, 0.4)),
                            1, 5))
            if out and out[-1][0] == "delete":
                out.insert(len(out) - 1, ("rate", v))
            else:
                out.append(("rate", v))
        return out

    def run_step(self, idea, n_batch, fixed_seed=None):
        """Generate a batch for idea; return list of observed q."""
        R = self.rng
        dn = idea["dom"]
        k = self.key(idea)
        rep = self.repeat_count.get(k, 0)
        tq = self.true_quality(idea)
        qs = []
        pending = []
        for b in range(n_batch):
            if fixed_seed is not None:
                seed = fixed_seed + b
            else:
                seed = int(R.integers(0, 2 ** 32 - 1))
            gid = self.emit_generate(idea, seed)
            self.t += self.gen_time(idea["params"], dn)
            q = tq + self.noise_sd * (0.8 * seed_z(seed) + 0.6 * R.normal()) \
                - self.bored_rate * min(rep + b, 15)
            qs.append(q)
            pending.append((gid, q))
        self.repeat_count[k] = rep + n_batch
        deferred = R.random() < self.p_defer
        for gid, q in pending:
            acts = self.react(gid, q, deferred)
            if not acts:
                continue
            if deferred:
                self.deferred.extend((gid, a) for a in acts)
            else:
                for typ, val in acts:
                    self.t += R.lognormal(math.log(2.5), 0.7)
                    self.emit_reaction(gid, typ, val)
            if any(a[0] == "favourite" for a in acts):
                self.liked.append((idea, q, self.n_gen))
                self.reinforce(idea, 1.0)
            elif any(a[0] == "keep" for a in acts):
                self.liked.append((idea, q, self.n_gen))
                self.reinforce(idea, 0.4)
        for q in qs:
            self.E = (1 - self.eta) * self.E + self.eta * q
        return qs

    def emit_reaction(self, gid, typ, val):
        ev = {"ts": round(self.t, 3), "user": self.uid, "type": typ, "target": gid}
        if typ == "rate":
            ev["value"] = int(val)
        self.events.append(ev)

    def flush_deferred(self):
        R = self.rng
        if not self.deferred:
            return
        self.t += R.lognormal(math.log(30), 0.8)
        for gid, (typ, val) in self.deferred:
            self.t += R.lognormal(math.log(1.5), 0.6)
            self.emit_reaction(gid, typ, val)
        self.deferred = []

    # -- policy ------------------------------------------------------------
    def think_time(self, kind):
        R = self.rng
        med = {"explore": 40.0, "refine": 12.0, "exploit": 3.0, "return": 15.0}[kind]
        return R.lognormal(math.log(med * self.think), 0.7)

    def pick_liked(self):
        R = self.rng
        if not self.liked:
            return None
        qs = np.array([x[1] for x in self.liked])
        age = np.array([self.n_gen - x[2] for x in self.liked], dtype=float)
        logit = 1.5 * (qs - qs.max()) - age / max(20.0, self.n_target * 0.3)
        p = softmax(logit)
        return self.liked[int(R.choice(len(p), p=p))][0]

    def start_idea(self, idea, q_hint=None):
        self.idea = {"best": idea, "best_q": -1e9 if q_hint is None else q_hint,
                     "hist": [], "seed": int(self.rng.integers(0, 2 ** 31))}
        self.last = idea
        self.no_improve = 0

    def set_exploit(self):
        self.phase = "exploit"
        lo, hi = self.exploit_len
        self.exploit_left = int(self.rng.integers(lo, hi + 1))

    def step(self):
        R = self.rng
        # choose action according to phase
        if self.phase == "explore" or self.idea is None:
            kind = "explore"
            cand = self.new_idea()
            self.start_idea(cand)
            fixed = None
            nb = self.batch_pref if R.random() < 0.6 else 1
        elif self.phase == "return":
            kind = "return"
            src = self.pick_liked()
            if src is None:
                self.phase = "explore"
                return
            self.start_idea(src)
            cand = src
            fixed = None
            nb = self.batch_pref if R.random() < 0.5 else 1
        elif self.phase == "refine":
            kind = "refine"
            if R.random() < self.p_revert or self.last is None:
                base = self.idea["best"]
            else:
                base = self.last
            if self.idea["hist"] and R.random() < 0.08:
                # backtrack to an earlier version of this idea
                base = self.idea["hist"][int(R.integers(len(self.idea["hist"])))][0]
            cand = self.edit(base)
            tries = 0
            while self.key(cand) == self.key(base) and tries < 3:
                cand = self.edit(base)
                tries += 1
            fixed = self.idea["seed"] if R.random() < self.p_fix_seed else None
            nb = 1 if fixed is not None or R.random() < 0.6 else self.batch_pref
        else:
            kind = "exploit"
            cand = {"dom": self.idea["best"]["dom"], "subj": self.idea["best"]["subj"],
                    "mods": self.idea["best"]["mods"], "params": dict(self.idea["best"]["params"])}
            if R.random() < self.p_param_tweak:
                self.tweak_params(cand)
            fixed = None
            nb = self.batch_pref if R.random() < self.p_batch_exploit else 1
        nb = max(1, min(nb, self.remaining_in_session, self.n_target - self.n_gen))
        self.t += self.think_time(kind)
        qs = self.run_step(cand, nb, fixed)
        qb = max(qs)
        self.last = cand
        self.idea["hist"].append((cand, qb))
        improved = qb > self.idea["best_q"] + 0.05
        if improved or kind in ("explore", "return"):
            if improved or self.idea["best_q"] < -1e8:
                self.idea["best"] = cand
                self.idea["best_q"] = max(qb, self.idea["best_q"]) if kind == "return" else qb
        s = qb - self.E
        self.remaining_in_session -= nb
        # phase transition
        if kind in ("explore", "return"):
            if s > self.great and R.random() < 0.5:
                self.set_exploit()
            elif s > self.promising or R.random() < self.p_explore_persist:
                self.phase = "refine"
                self.no_improve = 0
            elif R.random() < self.p_return and self.liked:
                self.phase = "return"
            else:
                self.phase = "explore"
        elif kind == "refine":
            if improved:
                self.no_improve = 0
                if s > self.great and R.random() < 0.6:
                    self.set_exploit()
            else:
                self.no_improve += 1
                if self.no_improve >= self.patience:
                    bs = self.idea["best_q"] - self.E
                    r = R.random()
                    if bs > self.promising and r < 0.5:
                        self.set_exploit()
                    elif r < 0.5 + self.p_return and self.liked:
                        self.phase = "return"
                    else:
                        self.phase = "explore"
        else:
            self.exploit_left -= 1
            if s > self.great:
                self.idea["best_q"] = max(self.idea["best_q"], qb)
            if self.exploit_left <= 0 or s < -1.0:
                r = R.random()
                if r < 0.45:
                    self.phase = "refine"
                    self.no_improve = 0
                elif r < 0.45 + self.p_return and self.liked:
                    self.phase = "return"
                else:
                    self.phase = "explore"

    def simulate(self):
        R = self.rng
        self.deferred = []
        first = True
        while self.n_gen < self.n_target:
            if not first:
                self.flush_deferred()
                self.t += R.lognormal(math.log(self.gap_med), 1.0) + 600
                self.drift()
                r = R.random()
                if self.idea is not None and r < self.p_resume:
                    self.phase = "refine" if R.random() < 0.7 else "exploit"
                    if self.phase == "exploit":
                        self.set_exploit()
                elif r < self.p_resume + (1 - self.p_resume) * 0.3 and self.liked:
                    self.phase = "return"
                else:
                    self.phase = "explore"
            first = False
            self.remaining_in_session = max(1, int(R.geometric(1.0 / self.sess_mean)))
            while self.remaining_in_session > 0 and self.n_gen < self.n_target:
                self.step()
        self.flush_deferred()
        return self.events


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--gens", type=int, default=200)
    ap.add_argument("--variant", default="balanced", choices=sorted(VARIANTS))
    ap.add_argument("out")
    a = ap.parse_args(argv)
    var = VARIANTS[a.variant]
    vidx = sorted(VARIANTS).index(a.variant)
    grng = np.random.default_rng([a.seed, 7919])
    gvals, gpop = make_global(grng)
    events = []
    t_base = 1_700_000_000.0
    for k in range(a.users):
        urng = np.random.default_rng([a.seed, vidx, k, 104729])
        uid = f"user{k:04d}"
        t0 = t_base + urng.uniform(0, 45 * 86400)
        u = User(uid, urng, var, a.gens, gvals, gpop, t0)
        evs = u.simulate()
        for j, e in enumerate(evs):
            events.append((e["ts"], k, j, e))
    events.sort(key=lambda x: (x[0], x[1], x[2]))
    with open(a.out, "w") as f:
        for _ts, _k, _j, e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
