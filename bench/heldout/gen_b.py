#!/usr/bin/env python3
"""Synthetic history generator B: casual / hobbyist users of a desktop generative studio.

Population
----------
Casual, Midjourney-like hobbyists. Prompts are short (mostly 2-5 comma-separated
parts): a plain-English subject ("a fluffy cat sleeping on a windowsill") plus a
few modifiers (style, lighting, camera, mood, colour, weather/time, artist,
quality tags).  Every user keeps several *projects* (topics) and switches
between them across sessions that are days apart.  When they come back to a
project they usually restart from that project's last prompt or from one of its
favourite prompts.  Some users also write text prompts (stories, poems, song
lyrics) and a few write music prompts.

Hidden model (per user, all parameters drawn per user)
------------------------------------------------------
* taste: a value per modifier term, drifting slowly between sessions
  (AR(1) random walk, stationary); a per-subject taste; a per-project hidden
  "target look" (a few modifier terms the user has in mind); a preferred prompt
  length; seed luck noise per output.  quality = sum of these.
* reactions: the user perceives each output as liked / neutral / disliked
  (per-user thresholds on quality).  Only part of that is emitted as events:
  keep / favourite (liked), delete (disliked), rate 1-5 (raters only).  Some
  users clean up old outputs at session end or favourite old outputs later.
* next move: a per-user mixture over operations
  rerun, add, drop, swap, subject_tweak, big_change, back_prev, back_fav,
  new_subject, switch_project, new_project, param_tweak
  whose weights are multiplied by reaction-dependent factors (liked -> re-run or
  small variation; disliked -> bigger change, go back, or new idea), raised to
  a per-user "reactivity" exponent.  Consecutive dislikes push harder towards
  big changes.
* habits: batch size (1, 2 or 4 images per click), signature modifiers tacked
  onto most prompts, lower-case vs capitalised, "," vs ", " separators, some
  users split the subject into several parts, occasional typos that get fixed,
  seed locking while tweaking, rare parameter changes.

Variants (--variant)
--------------------
casual   (default) balanced mixture; 1-4 modifiers (2-5 parts); ~30% of users
         also write text prompts, ~10% music; moderate drift.
wanderer very short prompts (0-3 modifiers, 1-4 parts), many projects and new
         subjects, fewer reruns, faster taste drift, more text/music users,
         fewer emitted reactions.
tinkerer slightly longer prompts (2-4 modifiers, 3-5 parts), few long-lived
         projects, many small variations and returns to favourites, slow
         drift, more emitted reactions and more raters, more batching.

Usage: python -m bench.heldout.gen_b --seed S --users U --gens G [--variant NAME] OUT.jsonl
Only stdlib + numpy.  Deterministic for a given (seed, users, gens, variant).
"""
from __future__ import annotations

import argparse
import json
import math

import numpy as np

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------
# Image subject themes: slots noun (required), adj, action, setting.
IMAGE_THEMES = {
    "pets": dict(
        noun=["cat", "kitten", "golden retriever", "puppy", "corgi", "shiba inu", "bunny",
              "hamster", "parrot", "husky", "pug", "tabby cat", "black cat", "border collie",
              "guinea pig", "hedgehog", "dachshund", "french bulldog", "goldfish", "ferret",
              "maine coon", "labrador"],
        adj=["fluffy", "sleepy", "tiny", "chubby", "happy", "grumpy", "cute", "old", "curious",
             "orange", "fat", "small", "white", "baby"],
        action=["sleeping", "wearing a tiny hat", "playing with yarn", "sitting", "running",
                "eating a cookie", "reading a book", "wearing sunglasses", "in a teacup",
                "yawning", "looking out the window", "wearing a scarf", "wearing a crown",
                "drinking coffee", "playing in the leaves", "taking a bath", "wearing a raincoat"],
        setting=["on a windowsill", "in a garden", "on the beach", "in a cozy living room",
                 "in the snow", "on a couch", "in a field of flowers", "in the kitchen",
                 "in space", "at the park", "on a bed", "in a basket", "by the fireplace"]),
    "fantasy": dict(
        noun=["dragon", "wizard", "elf princess", "castle", "fairy", "knight", "unicorn",
              "phoenix", "witch", "griffin", "mermaid", "floating island", "ancient tree",
              "goblin", "sorceress", "elf archer", "dwarf blacksmith", "forest spirit",
              "wolf", "owl", "fox spirit", "paladin"],
        adj=["ancient", "majestic", "glowing", "tiny", "giant", "dark", "crystal", "golden",
             "mysterious", "friendly", "old", "beautiful", "enchanted", "silver"],
        action=["flying over mountains", "casting a spell", "guarding treasure",
                "breathing fire", "sleeping on gold", "reading a spellbook", "riding a horse",
                "holding a glowing sword", "brewing a potion", "standing on a cliff"],
        setting=["in a misty valley", "in a magical forest", "under the stars",
                 "by a waterfall", "in a ruined temple", "above the clouds", "in a dark cave",
                 "in an enchanted forest", "in a medieval town", "at the edge of the world"]),
    "scifi": dict(
        noun=["robot", "spaceship", "cyborg", "astronaut", "futuristic city", "mech",
              "android girl", "space station", "alien planet", "hover car", "time traveler",
              "robot dog", "alien", "space explorer", "giant robot", "cyberpunk girl"],
        adj=["rusty", "giant", "sleek", "abandoned", "neon", "friendly", "old", "lonely",
             "chrome", "tiny", "broken", "futuristic"],
        action=["walking in the rain", "repairing itself", "looking at the stars", "exploring",
                "drinking coffee", "playing chess", "holding a flower", "flying through space",
                "landing on a planet"],
        setting=["on mars", "in a cyberpunk city", "in a desert wasteland",
                 "on a space station", "in tokyo 2099", "in a junkyard", "on the moon",
                 "in a neon alley", "in a futuristic lab"]),
    "landscape": dict(
        noun=["mountain lake", "beach", "forest", "desert", "waterfall", "lighthouse",
              "countryside", "meadow", "canyon", "northern lights", "volcano", "rice terraces",
              "autumn forest", "snowy village", "tropical island", "lavender field",
              "river valley", "fjord", "sunflower field", "cliffs"],
        adj=["quiet", "misty", "snowy", "sunny", "peaceful", "stormy", "hidden", "endless",
             "beautiful", "lonely", "green"],
        action=["at sunrise", "at sunset", "after the rain", "in the fog", "under a full moon"],
        setting=["in iceland", "in the alps", "in norway", "in japan", "in scotland",
                 "in new zealand", "in tuscany", "in patagonia", "in canada"]),
    "portrait": dict(
        noun=["old man", "young woman", "girl with red hair", "samurai", "pirate captain",
              "grandmother", "viking warrior", "ballerina", "cowboy", "queen",
              "boy with freckles", "jazz singer", "fisherman", "woman with flowers in her hair",
              "street musician", "detective", "chef", "old sailor", "geisha", "monk"],
        adj=["smiling", "serious", "elderly", "beautiful", "tired", "proud", "mysterious",
             "young", "happy", "sad"],
        action=["holding a lantern", "looking at the camera", "reading", "drinking tea",
                "laughing", "in the rain", "playing guitar", "smoking a pipe", "looking away"],
        setting=["in a cafe", "in the street", "in a field", "at the market",
                 "in front of a window", "on a boat", "in a library", "in the snow"]),
    "food": dict(
        noun=["bowl of ramen", "strawberry cake", "burger", "cup of coffee", "pizza",
              "sushi platter", "pancakes", "ice cream cone", "croissant", "donuts",
              "bubble tea", "taco", "apple pie", "cupcake", "bowl of fruit", "hot chocolate",
              "cheesecake", "dumplings"],
        adj=["delicious", "giant", "steaming", "colorful", "tiny", "homemade", "fresh"],
        action=["with melting cheese", "with syrup dripping", "with sprinkles",
                "with whipped cream", "with steam rising"],
        setting=["in a cozy cafe", "on a picnic blanket", "in a diner", "on a marble counter",
                 "on a wooden table", "in a bakery window"]),
    "places": dict(
        noun=["cozy cabin", "treehouse", "japanese temple", "old library", "coffee shop",
              "victorian house", "bookstore", "greenhouse", "medieval village",
              "underwater city", "cottage", "train station", "bedroom", "tea house",
              "castle ruins", "little shop", "floating market", "attic"],
        adj=["cozy", "abandoned", "tiny", "magical", "old", "modern", "overgrown", "hidden",
             "charming"],
        action=["covered in snow", "overgrown with plants", "lit by candles", "full of books",
                "full of plants", "with fairy lights"],
        setting=["in the woods", "by the sea", "on a hill", "in the city", "at night",
                 "in the mountains", "by a river"]),
    "vehicles": dict(
        noun=["vintage car", "motorcycle", "steam train", "sailboat", "hot air balloon",
              "bicycle", "pirate ship", "vw bus", "submarine", "airship", "muscle car",
              "old truck", "tram", "sports car"],
        adj=["vintage", "rusty", "shiny", "red", "old", "giant", "tiny", "retro"],
        action=["driving through the desert", "parked on the street", "flying over the city",
                "sailing at sea", "crossing a bridge"],
        setting=["on route 66", "in the countryside", "in paris", "in a garage",
                 "by the ocean", "in havana"]),
    "cute": dict(
        noun=["frog", "baby dragon", "avocado", "cloud", "mushroom", "ghost", "axolotl",
              "panda", "red panda", "baby penguin", "capybara", "otter", "bee", "duck",
              "sloth", "bear", "strawberry", "dinosaur", "snail", "kitten"],
        adj=["cute", "kawaii", "tiny", "happy", "chubby", "little", "smiling", "baby", "sleepy"],
        action=["holding a balloon", "wearing a frog hat", "eating boba", "hugging a heart",
                "waving", "wearing a party hat", "sleeping on a cloud", "holding an umbrella",
                "eating a strawberry"],
        setting=["on a lily pad", "in a mushroom forest", "in a teacup", "in the rain",
                 "on a rainbow"]),
    "spooky": dict(
        noun=["haunted house", "creepy doll", "skeleton", "ghost girl", "abandoned hospital",
              "dark forest", "scarecrow", "vampire", "zombie", "witch's hut", "plague doctor",
              "graveyard", "jack o lantern", "shadow creature"],
        adj=["creepy", "dark", "abandoned", "old", "spooky", "eerie", "rotting"],
        action=["in the fog", "at midnight", "glowing eyes", "smiling", "lit by a lantern"],
        setting=["in the woods", "on a hill", "in an old town", "in the basement",
                 "under a full moon"]),
    "ocean": dict(
        noun=["whale", "jellyfish", "coral reef", "octopus", "sea turtle", "shark",
              "sunken ship", "lighthouse", "manta ray", "dolphin", "seahorse", "orca"],
        adj=["giant", "glowing", "ancient", "colorful", "lonely", "tiny", "majestic"],
        action=["swimming", "jumping out of the water", "in a storm", "in the deep sea",
                "surrounded by fish"],
        setting=["underwater", "in the deep ocean", "at sunset", "in clear blue water",
                 "in the arctic"]),
    "space": dict(
        noun=["galaxy", "nebula", "black hole", "planet with rings", "moon",
              "astronaut floating", "comet", "earth from space", "solar system",
              "alien landscape", "space whale"],
        adj=["colorful", "distant", "giant", "glowing", "beautiful", "dark"],
        action=["exploding", "rising over the horizon", "surrounded by stars"],
        setting=["in deep space", "seen from the moon", "in the milky way"]),
    "holiday": dict(
        noun=["christmas tree", "snowman", "santa claus", "pumpkin", "easter bunny",
              "birthday cake", "gingerbread house", "reindeer", "christmas village",
              "halloween party", "valentine card", "new year fireworks"],
        adj=["cozy", "happy", "giant", "cute", "festive", "snowy", "old fashioned"],
        action=["covered in snow", "with presents", "with fairy lights", "with candles"],
        setting=["in a living room", "in the snow", "in a village", "at night"]),
    "logo": dict(
        noun=["logo for a coffee shop", "logo for a bakery", "mascot for a gaming channel",
              "icon of a fox", "emblem of a wolf", "logo for a bookstore",
              "logo for a plant shop", "mascot for a pizza place", "app icon",
              "logo for a tea brand", "badge of a mountain", "sticker of a cat"],
        adj=["simple", "modern", "cute", "bold", "retro", "clean"],
        action=["with a coffee cup", "with leaves", "with a crown", "with stars"],
        setting=[]),
}

TEXT_TASKS = ["write a poem about", "write a short story about", "a bedtime story about",
              "write a haiku about", "write song lyrics about", "write a limerick about",
              "tell me a story about", "a funny poem about", "write a story for kids about",
              "write a birthday poem about", "write a rap about", "short story about"]
TEXT_TOPICS = dict(
    noun=["my cat", "the ocean at night", "autumn leaves", "a lonely robot",
          "a dragon who is afraid of the dark", "the first day of school", "grandma's kitchen",
          "a rainy sunday", "the moon", "a lost sock", "coffee", "friendship",
          "moving to a new city", "a lighthouse keeper", "a girl who can talk to birds",
          "a haunted library", "summer vacation", "my dog who loves the mailman",
          "time travel", "a small town bakery", "the last tree on earth",
          "a pirate who hates water", "growing old", "the stars",
          "a snowman who wants to see summer",
          "a brave little mouse", "my best friend", "monday mornings", "a wizard who lost his hat",
          "a cat who wants to be a dog", "the sea", "love", "winter", "a magic bus",
          "a knight and a dragon who become friends", "my garden", "a space adventure",
          "the city at night", "an old man and his dog", "pizza"],
    adj=[], action=[], setting=[])

MUSIC_GENRES = dict(
    noun=["lofi hip hop", "synthwave", "ambient", "acoustic folk", "jazz", "epic orchestral",
          "chiptune", "piano ballad", "reggae", "edm", "drum and bass", "classical guitar",
          "celtic", "city pop", "trap beat", "bossa nova", "country", "indie rock", "blues",
          "k-pop", "dream pop", "deep house"],
    adj=[], action=[],
    setting=["rainy night", "summer beach", "study session", "road trip",
             "video game boss fight", "sunday morning", "forest walk", "late night drive",
             "space travel", "christmas morning", "coffee shop", "sunset"])

# Modifier categories.  Order ~ popularity (most used first).
IMAGE_MODS = {
    "style": ["digital art", "anime style", "watercolor", "oil painting", "studio ghibli style",
              "pixar style", "photorealistic", "realistic", "concept art", "pixel art",
              "3d render", "cartoon", "fantasy art", "cyberpunk", "disney style",
              "children's book illustration", "comic book style", "pencil sketch", "cinematic",
              "steampunk", "synthwave", "vaporwave", "low poly", "claymation", "art nouveau",
              "impressionism", "surrealism", "pop art", "ukiyo-e", "line art", "charcoal drawing",
              "ink drawing", "stained glass", "storybook illustration", "flat illustration",
              "vector art", "isometric", "hyperrealistic", "dark fantasy", "gothic", "minimalist",
              "kawaii", "chibi", "paper cut art", "lego", "origami", "polaroid photo",
              "vintage photo", "90s anime", "retro", "cel shaded", "gouache", "pastel drawing",
              "crayon drawing", "tattoo design", "mosaic", "embroidery", "knitted",
              "plush toy", "art deco", "baroque", "renaissance painting", "pointillism",
              "cubism", "graffiti", "manga", "sticker", "felt", "miniature", "diorama",
              "tilt shift photo", "matte painting", "sumi-e", "linocut", "risograph print"],
    "lighting": ["golden hour", "soft lighting", "dramatic lighting", "neon lights",
                 "volumetric lighting", "cinematic lighting", "sunset lighting",
                 "studio lighting", "moonlight", "rim light", "backlit", "candlelight",
                 "god rays", "natural light", "blue hour", "hard shadows", "bioluminescent",
                 "glowing", "warm light", "soft shadows", "lens flare", "fairy lights"],
    "camera": ["close up", "wide shot", "portrait", "full body", "aerial view", "bokeh",
               "depth of field", "macro", "from above", "35mm", "50mm lens", "fisheye",
               "shot on iphone", "dslr", "low angle", "symmetrical", "centered",
               "long exposure", "film grain", "wide angle", "top down view",
               "shot on kodak portra 400", "side view", "85mm", "drone shot"],
    "mood": ["cozy", "dreamy", "peaceful", "magical", "moody", "whimsical", "epic", "cute",
             "dark", "eerie", "cheerful", "melancholic", "serene", "nostalgic", "mysterious",
             "romantic", "playful", "lonely", "ethereal", "calm", "creepy", "happy",
             "atmospheric", "wholesome"],
    "color": ["pastel colors", "vibrant colors", "muted colors", "black and white",
              "warm tones", "cool tones", "neon colors", "teal and orange", "monochrome",
              "earthy tones", "sepia", "rainbow colors", "gold and black", "pink and blue",
              "limited palette", "purple and blue", "red and black", "soft colors"],
    "time": ["at night", "at sunset", "in the rain", "in winter", "in autumn", "snowing",
             "at sunrise", "foggy", "in spring", "during a storm", "under cherry blossoms",
             "in summer", "at dawn", "starry sky", "full moon"],
    "artist": ["by greg rutkowski", "by studio ghibli", "by hayao miyazaki", "by alphonse mucha",
               "in the style of van gogh", "by makoto shinkai", "by artgerm", "by monet",
               "by beatrix potter", "by moebius", "by wlop", "by james gurney",
               "by simon stalenhag", "by tim burton", "by wes anderson", "by ansel adams",
               "by klimt", "by hokusai", "by norman rockwell", "by thomas kinkade", "by loish",
               "by rossdraws", "by pixar", "by quentin blake", "by mary blair", "by beeple",
               "by ilya kuvshinov", "by rembrandt", "by edward hopper", "by j.c. leyendecker",
               "by frank frazetta", "by studio trigger"],
    "quality": ["highly detailed", "4k", "8k", "masterpiece", "best quality",
                "trending on artstation", "ultra detailed", "sharp focus", "intricate details",
                "hd", "award winning", "high quality", "detailed", "unreal engine",
                "octane render", "beautiful", "stunning", "professional", "hdr",
                "ultra realistic", "high resolution", "realistic lighting"],
    "background": ["white background", "simple background", "dark background",
                   "blurred background", "transparent background", "plain background"],
}
TEXT_MODS = {
    "tone": ["funny", "heartwarming", "sad", "spooky", "romantic", "whimsical", "epic",
             "melancholic", "hopeful", "silly", "dark", "cozy", "inspiring", "bittersweet"],
    "form": ["rhyming", "short", "under 200 words", "4 stanzas", "free verse", "as a sonnet",
             "with dialogue", "first person", "longer", "3 paragraphs", "with a twist ending",
             "happy ending", "sad ending", "with a moral", "in simple words", "one page"],
    "audience": ["for kids", "for a 5 year old", "for my mom", "for my girlfriend",
                 "for a birthday card", "for adults", "for teenagers", "for my grandma"],
    "voice": ["in the style of dr seuss", "in the style of edgar allan poe",
              "like shakespeare", "from the cat's point of view", "in the style of roald dahl",
              "like a fairy tale", "like a pirate", "in the style of tolkien",
              "like a news report", "in the style of emily dickinson", "like a diary entry"],
}
MUSIC_MODS = {
    "mood": ["chill", "relaxing", "upbeat", "sad", "dreamy", "energetic", "dark", "happy",
             "nostalgic", "epic", "calm", "melancholic", "groovy", "romantic"],
    "instrument": ["piano", "acoustic guitar", "soft drums", "saxophone", "strings",
                   "synth pads", "808 bass", "flute", "violin", "ukulele", "vinyl crackle",
                   "female vocals", "male vocals", "no vocals", "electric guitar", "choir",
                   "harp", "rhodes"],
    "tempo": ["80 bpm", "90 bpm", "120 bpm", "slow tempo", "70 bpm", "128 bpm", "fast tempo",
              "140 bpm", "100 bpm", "174 bpm"],
    "production": ["lo-fi", "warm analog", "high quality", "cinematic", "retro 80s",
                   "live recording", "reverb heavy", "minimal"],
}

MODS = {"image": IMAGE_MODS, "text": TEXT_MODS, "music": MUSIC_MODS}
# base category propensities for casual users
CAT_BASE = {
    "image": {"style": 3.0, "quality": 1.8, "mood": 1.4, "lighting": 1.3, "time": 1.0,
              "color": 0.9, "camera": 0.7, "artist": 0.6, "background": 0.25},
    "text": {"tone": 2.0, "form": 2.0, "audience": 1.0, "voice": 0.9},
    "music": {"mood": 2.0, "instrument": 2.0, "tempo": 1.0, "production": 0.8},
}
THEME_NAMES = list(IMAGE_THEMES)
THEME_POP = np.array([3.0, 2.2, 1.6, 1.8, 1.5, 1.0, 1.4, 0.7, 1.5, 0.9, 0.8, 0.8, 0.7, 0.6])

OPS = ["rerun", "add", "drop", "swap", "subject_tweak", "big_change", "back_prev",
       "back_fav", "new_subject", "switch_project", "new_project", "param_tweak"]

VARIANTS = {
    "casual": dict(
        base=[0.22, 0.15, 0.07, 0.12, 0.12, 0.05, 0.05, 0.05, 0.08, 0.03, 0.02, 0.02],
        nmods_p={0: 0.04, 1: 0.26, 2: 0.34, 3: 0.26, 4: 0.10}, max_mods=4,
        p_text=0.30, p_music=0.10, drift_rho=0.97, p_new_proj=0.22,
        react_scale=1.0, p_rater=0.25, batch_p=[0.65, 0.15, 0.20], sess_mean=(6, 18)),
    "wanderer": dict(
        base=[0.14, 0.14, 0.08, 0.12, 0.14, 0.07, 0.04, 0.03, 0.14, 0.05, 0.04, 0.01],
        nmods_p={0: 0.12, 1: 0.38, 2: 0.33, 3: 0.17}, max_mods=3,
        p_text=0.40, p_music=0.18, drift_rho=0.93, p_new_proj=0.35,
        react_scale=0.7, p_rater=0.15, batch_p=[0.75, 0.12, 0.13], sess_mean=(4, 12)),
    "tinkerer": dict(
        base=[0.20, 0.18, 0.08, 0.16, 0.10, 0.04, 0.06, 0.08, 0.05, 0.02, 0.01, 0.02],
        nmods_p={2: 0.35, 3: 0.40, 4: 0.25}, max_mods=4,
        p_text=0.20, p_music=0.06, drift_rho=0.985, p_new_proj=0.12,
        react_scale=1.3, p_rater=0.40, batch_p=[0.55, 0.20, 0.25], sess_mean=(10, 25)),
}

LIKED_MULT = dict(rerun=2.2, add=1.3, drop=0.6, swap=1.0, subject_tweak=1.2, big_change=0.3,
                  back_prev=0.25, back_fav=0.3, new_subject=0.7, switch_project=0.8,
                  new_project=0.8, param_tweak=1.0)
DISLIKED_MULT = dict(rerun=0.45, add=0.8, drop=1.6, swap=1.5, subject_tweak=1.2,
                     big_change=2.5, back_prev=2.5, back_fav=1.8, new_subject=1.6,
                     switch_project=1.3, new_project=1.2, param_tweak=1.3)

SAMPLERS = ["euler_a", "dpmpp_2m_karras", "euler", "dpmpp_sde_karras", "ddim", "unipc",
            "dpmpp_2m_sde_karras"]
IMG_MODELS = ["sdxl-base-1.0", "sd-1.5", "juggernaut-xl", "dreamshaper-8", "realvis-xl",
              "animagine-xl", "flux-schnell"]
SIZES = [(512, 512), (768, 768), (1024, 1024), (832, 1216), (1216, 832), (896, 1152),
         (1344, 768), (512, 768), (768, 512)]
TEXT_MODELS = ["llama-3-8b-instruct", "mistral-7b-instruct", "qwen2.5-7b-instruct",
               "gemma-2-9b-it"]
MUSIC_MODELS = ["musicgen-small", "musicgen-medium", "stable-audio-open"]

# flat index of every modifier term per modality (for the taste vectors)
TERM_INDEX = {}
for _mod, _cats in MODS.items():
    for _c, _terms in _cats.items():
        for _r, _t in enumerate(_terms):
            TERM_INDEX[(_mod, _c, _t)] = len(TERM_INDEX)
N_TERMS = len(TERM_INDEX)


def pop_weights(n, a=0.8):
    return 1.0 / (np.arange(n) + 1.0) ** a


def choice_w(rng, items, w):
    w = np.asarray(w, dtype=float)
    s = w.sum()
    if s <= 0 or len(items) == 0:
        return None
    return items[int(rng.choice(len(items), p=w / s))]


QWERTY_NEIGH = {"a": "sq", "e": "wr", "i": "uo", "o": "ip", "t": "ry", "n": "bm", "s": "ad",
                "r": "et", "l": "k", "h": "gj", "u": "yi", "c": "xv", "d": "sf", "g": "fh"}


def make_typo(rng, text):
    words = text.split(" ")
    cand = [i for i, w in enumerate(words) if len(w) >= 4]
    if not cand:
        return text
    i = cand[int(rng.integers(len(cand)))]
    w = words[i]
    k = int(rng.integers(1, len(w) - 1))
    kind = rng.random()
    if kind < 0.35:  # swap adjacent
        w = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    elif kind < 0.6:  # drop char
        w = w[:k] + w[k + 1:]
    elif kind < 0.8:  # double char
        w = w[:k] + w[k] + w[k:]
    else:
        ch = w[k]
        if ch in QWERTY_NEIGH:
            w = w[:k] + QWERTY_NEIGH[ch][int(rng.integers(len(QWERTY_NEIGH[ch])))] + w[k + 1:]
        else:
            w = w[:k] + w[k + 1:]
    words[i] = w
    return " ".join(words)


# --------------------------------------------------------------------------
# Prompt state
# --------------------------------------------------------------------------
class PromptState:
    """subject slots + ordered list of (category, term) modifiers."""

    __slots__ = ("modality", "mods", "subj", "theme", "typo")

    def __init__(self, modality, theme, subj, mods, typo=None):
        self.modality = modality
        self.theme = theme
        self.subj = dict(subj)
        self.mods = list(mods)
        self.typo = typo  # rendered subject text containing a typo, or None

    def copy(self):
        return PromptState(self.modality, self.theme, self.subj, self.mods, self.typo)

    def key(self):
        return (self.modality, self.theme, tuple(sorted(self.subj.items())),
                tuple(self.mods))


class User:
    def __init__(self, uid, rng, var, gens_target, t0):
        self.uid = uid
        self.rng = rng
        self.var = var
        self.target = gens_target
        r = rng
        # --- modality mix
        w_img, w_txt, w_mus = 1.0, 0.0, 0.0
        if r.random() < var["p_text"]:
            w_txt = r.uniform(0.12, 0.45)
        if r.random() < var["p_music"]:
            w_mus = r.uniform(0.05, 0.22)
        if r.random() < 0.03:  # rare text-first user
            w_txt = r.uniform(0.5, 0.9)
        self.modality_w = {"image": w_img, "text": w_txt, "music": w_mus}
        # --- themes
        self.theme_w = r.dirichlet(THEME_POP * 0.35) + 1e-3
        self.theme_w /= self.theme_w.sum()
        # --- taste over modifier terms (drifts)
        self.taste_sd = r.uniform(0.5, 0.85)
        self.taste = r.normal(0.0, self.taste_sd, N_TERMS)
        self.subj_taste = {}
        self.base_q = r.normal(-0.15, 0.3)
        self.noise_sd = r.uniform(0.55, 0.85)
        self.mod_gain = r.uniform(0.35, 0.6)
        self.target_gain = r.uniform(0.4, 0.8)
        self.insight = r.uniform(0.2, 0.9)  # how well they steer toward the target look
        self.beta = r.uniform(0.5, 1.5)  # choice sharpness wrt own taste
        self.noun_focus = r.uniform(1.0, 4.0)
        self.drift_rho = var["drift_rho"] ** r.uniform(0.5, 1.5)
        # --- category propensities + familiar vocabulary
        self.cat_w = {}
        self.familiar = {}
        for mod, cats in MODS.items():
            cw = {}
            for c in cats:
                cw[c] = CAT_BASE[mod][c] * r.lognormal(0, 0.6)
            self.cat_w[mod] = cw
            fam = {}
            for c, terms in cats.items():
                k = min(len(terms), int(r.integers(3, 11)))
                p = pop_weights(len(terms))
                idx = r.choice(len(terms), size=k, replace=False, p=p / p.sum())
                fam[c] = [terms[i] for i in idx]
            self.familiar[mod] = fam
        self.p_explore = r.uniform(0.05, 0.25)
        # signature modifiers tacked onto most prompts
        self.signature = []
        nsig = int(r.choice([0, 0, 1, 1, 2]))
        for _ in range(nsig):
            c = "quality" if r.random() < 0.6 else choice_w(r, list(self.cat_w["image"]),
                                                             list(self.cat_w["image"].values()))
            t = choice_w(r, self.familiar["image"][c],
                         pop_weights(len(self.familiar["image"][c])))
            if (c, t) not in self.signature:
                self.signature.append((c, t))
        self.p_signature = r.uniform(0.5, 0.95)
        self.split_subject = r.random() < 0.18
        # --- length preference
        ks = list(var["nmods_p"])
        self.pref_nmods = int(r.choice(ks, p=np.array(list(var["nmods_p"].values()))))
        self.max_mods = min(var["max_mods"], self.pref_nmods + int(r.integers(1, 3)))
        self.len_pen = r.uniform(0.05, 0.25)
        if self.split_subject:  # subject already spans several parts
            self.pref_nmods = max(0, self.pref_nmods - 1)
            self.max_mods = max(1, self.max_mods - 1)
        # --- mixture over operations
        base = np.array(var["base"])
        self.op_w = r.dirichlet(base * 25.0) + 1e-4
        self.reactivity = r.uniform(0.5, 1.5)
        # --- reaction thresholds / emission habits
        # thresholds are relative to a running average of what the user has been
        # getting (expectations adapt), plus per-user offsets
        self.ema_q = self.base_q + 0.4
        self.ema_a = r.uniform(0.02, 0.08)
        self.keep_off = r.normal(0.35, 0.25)
        self.fav_off = self.keep_off + r.uniform(0.6, 1.1)
        self.del_off = self.keep_off - r.uniform(0.8, 1.4)
        rs = var["react_scale"]
        self.p_keep = min(0.95, r.beta(2, 2) * rs)
        self.p_fav = min(0.95, r.beta(2, 3) * rs)
        self.p_del = min(0.9, r.beta(1.5, 2.5) * rs) if r.random() < 0.8 else 0.0
        self.rater = r.random() < var["p_rater"]
        self.p_rate = r.uniform(0.3, 0.9) if self.rater else 0.0
        self.rate_bias = r.normal(0, 0.35)
        self.p_cleanup = r.uniform(0, 0.5) if r.random() < 0.4 else 0.0
        self.p_browse_fav = r.uniform(0, 0.3)
        # --- habits
        bp = var["batch_p"]
        self.batch = int(r.choice([1, 2, 4], p=bp))
        self.p_batch_other = r.uniform(0, 0.15)
        self.lowercase = r.random() < 0.72
        self.sep = ", " if r.random() < 0.9 else ","
        self.article = r.random() < 0.7  # writes "a cat" rather than "cat"
        self.p_typo = r.uniform(0, 0.04) if r.random() < 0.5 else 0.0
        self.lock_seed = r.random() < 0.2
        self.p_fav_return = r.uniform(0.25, 0.65)
        self.p_last_return = r.uniform(0.25, 0.6)
        self.p_new_proj = min(0.8, var["p_new_proj"] * r.lognormal(0, 0.4))
        self.proj_tau = r.uniform(2.0, 8.0)
        # --- params
        self.img_model = str(r.choice(IMG_MODELS, p=np.array([.3, .18, .14, .1, .1, .1, .08])))
        self.sampler = str(r.choice(SAMPLERS))
        self.steps = int(r.choice([20, 25, 30, 30, 40, 50]))
        self.cfg = float(r.choice([5.0, 6.0, 7.0, 7.0, 7.5, 8.0, 9.0]))
        self.size = SIZES[int(r.choice(len(SIZES),
                                       p=np.array([.12, .12, .3, .12, .1, .08, .06, .05, .05])))]
        self.text_model = str(r.choice(TEXT_MODELS))
        self.temperature = float(r.choice([0.7, 0.8, 0.9, 1.0]))
        self.max_tokens = int(r.choice([256, 512, 512, 1024]))
        self.music_model = str(r.choice(MUSIC_MODELS))
        self.duration = int(r.choice([15, 30, 30, 60]))
        # --- timing
        self.gap_days = float(np.clip(r.lognormal(math.log(2.2), 0.7), 0.4, 14))
        self.pref_hour = float((r.normal(19.5, 3.5)) % 24)
        lo, hi = var["sess_mean"]
        self.sess_len = r.uniform(lo, hi)
        self.think = r.lognormal(math.log(25), 0.35)
        self.t = t0
        # --- state
        self.projects = []
        self.cur = None  # current project
        self.events = []
        self.gen_count = 0
        self.session_idx = 0
        self.outputs = []  # (gen_id, q, reacted_flag, fav_flag, session)
        self.consec_bad = 0

    @property
    def keep_thr(self):
        return self.ema_q + self.keep_off

    @property
    def fav_thr(self):
        return self.ema_q + self.fav_off

    @property
    def del_thr(self):
        return self.ema_q + self.del_off

    # ------------------------------------------------------------------ taste
    def drift(self):
        rho = self.drift_rho
        self.taste = rho * self.taste + math.sqrt(1 - rho * rho) * self.rng.normal(
            0, self.taste_sd, N_TERMS)
        self.theme_w = self.theme_w * np.exp(self.rng.normal(0, 0.15, len(self.theme_w)))
        self.theme_w /= self.theme_w.sum()

    def tval(self, modality, cat, term):
        return self.taste[TERM_INDEX[(modality, cat, term)]]

    def subj_val(self, st):
        v = self.noun_taste(st.modality, st.subj.get("noun"))
        for slot in ("adj", "action", "setting"):
            if slot in st.subj:
                k2 = (st.modality, slot, st.subj[slot])
                if k2 not in self.subj_taste:
                    self.subj_taste[k2] = float(self.rng.normal(0, 0.2))
                v += self.subj_taste[k2]
        return v

    def quality(self, st, proj):
        q = self.base_q + self.subj_val(st)
        for c, t in st.mods:
            q += self.mod_gain * self.tval(st.modality, c, t)
            if (c, t) in proj["target"]:
                q += self.target_gain
        q -= self.len_pen * abs(len(st.mods) - self.pref_nmods)
        if st.typo:
            q -= 0.2
        q += self.rng.normal(0, self.noise_sd)
        return float(q)

    # ------------------------------------------------------------------ vocab choice
    def pick_category(self, modality, exclude=(), present=()):
        cats = [c for c in self.cat_w[modality] if c not in exclude]
        if not cats:
            return None
        used = {c for c, _ in present}
        return choice_w(self.rng, cats, [self.cat_w[modality][c] * (0.35 if c in used else 1.0)
                                         for c in cats])

    def pick_term(self, modality, cat, proj, present):
        r = self.rng
        fam = self.familiar[modality][cat]
        allterms = MODS[modality][cat]
        if r.random() < self.p_explore:
            cand = [t for t in allterms if (cat, t) not in present]
            if not cand:
                return None
            p = pop_weights(len(allterms))
            w = [p[allterms.index(t)] for t in cand]
            t = choice_w(r, cand, w)
            if t not in fam:
                fam.append(t)
            return t
        cand = [t for t in fam if (cat, t) not in present]
        if not cand:
            return None
        w = []
        for t in cand:
            v = self.beta * self.tval(modality, cat, t)
            if proj is not None and (cat, t) in proj["target"]:
                v += 2.0 * self.insight
            w.append(math.exp(v))
        return choice_w(r, cand, w)

    def add_mod(self, st, proj, cat=None):
        present = set(st.mods)
        for _ in range(4):
            c = cat or self.pick_category(st.modality, present=st.mods)
            if c is None:
                return False
            t = self.pick_term(st.modality, c, proj, present)
            if t is not None:
                # mostly appended; sometimes inserted
                if self.rng.random() < 0.8 or not st.mods:
                    st.mods.append((c, t))
                else:
                    st.mods.insert(int(self.rng.integers(0, len(st.mods) + 1)), (c, t))
                return True
            cat = None
        return False

    def drop_mod(self, st, recent_bias):
        if not st.mods:
            return False
        n = len(st.mods)
        w = []
        for i, (c, t) in enumerate(st.mods):
            v = -self.insight * self.tval(st.modality, c, t)
            if recent_bias:
                v += 1.0 * (i / max(1, n - 1))
            if (c, t) in self.signature:
                v -= 1.5
            w.append(math.exp(v))
        i = int(self.rng.choice(n, p=np.array(w) / sum(w)))
        st.mods.pop(i)
        return True

    def swap_mod(self, st, proj):
        if not st.mods:
            return False
        n = len(st.mods)
        w = [math.exp(-self.insight * self.tval(st.modality, c, t)) for c, t in st.mods]
        i = int(self.rng.choice(n, p=np.array(w) / sum(w)))
        c, _ = st.mods[i]
        if self.rng.random() < 0.15:
            c = self.pick_category(st.modality)
        t = self.pick_term(st.modality, c, proj, set(st.mods))
        if t is None:
            return False
        st.mods[i] = (c, t)
        return True

    # ------------------------------------------------------------------ subjects
    def slots_for(self, modality, theme):
        if modality == "image":
            return IMAGE_THEMES[theme]
        if modality == "text":
            return TEXT_TOPICS
        return MUSIC_GENRES

    def new_subject(self, modality, theme):
        r = self.rng
        sl = self.slots_for(modality, theme)
        subj = {"noun": self.pick_noun(modality, sl["noun"])}
        if modality == "image":
            if sl["adj"] and r.random() < 0.45:
                subj["adj"] = str(r.choice(sl["adj"]))
            if sl["action"] and r.random() < 0.45:
                subj["action"] = str(r.choice(sl["action"]))
            if sl["setting"] and r.random() < 0.4:
                subj["setting"] = str(r.choice(sl["setting"]))
        elif modality == "text":
            subj["task"] = str(r.choice(TEXT_TASKS))
        else:
            if r.random() < 0.6:
                subj["setting"] = str(r.choice(sl["setting"]))
        return subj

    def noun_taste(self, modality, noun):
        k = (modality, noun)
        if k not in self.subj_taste:
            self.subj_taste[k] = float(self.rng.normal(0, 0.35))
        return self.subj_taste[k]

    def pick_noun(self, modality, nouns):
        # users gravitate to subjects they like (recurring favourite subjects)
        w = [math.exp(self.noun_focus * self.noun_taste(modality, n)) for n in nouns]
        return str(choice_w(self.rng, nouns, w))

    def tweak_subject(self, st):
        r = self.rng
        sl = self.slots_for(st.modality, st.theme)
        if st.modality == "text":
            if r.random() < 0.45:
                st.subj["task"] = str(r.choice(TEXT_TASKS))
            else:
                st.subj["noun"] = self.pick_noun(st.modality, sl["noun"])
            return
        slots = [s for s in ("adj", "action", "setting", "noun") if sl.get(s)]
        w = {"adj": 1.0, "action": 1.2, "setting": 1.0, "noun": 0.6}
        s = choice_w(r, slots, [w[x] for x in slots])
        if s == "noun":
            st.subj["noun"] = self.pick_noun(st.modality, sl["noun"])
        elif s in st.subj and r.random() < 0.35:
            del st.subj[s]
        else:
            st.subj[s] = str(r.choice(sl[s]))

    def fresh_prompt(self, modality, theme, proj):
        st = PromptState(modality, theme, self.new_subject(modality, theme), [])
        n = max(0, self.pref_nmods + int(self.rng.choice([-1, 0, 0, 0, 1])))
        n = min(n, self.max_mods_for(modality))
        if modality == "image":
            for sig in self.signature:
                if len(st.mods) < n and self.rng.random() < self.p_signature:
                    st.mods.append(sig)
        # style first typically, then the rest
        cats_used = set()
        while len(st.mods) < n:
            if modality == "image" and not cats_used and self.rng.random() < 0.7:
                c = "style"
            else:
                c = self.pick_category(modality,
                                       exclude=cats_used if self.rng.random() < 0.7 else ())
            if c is None or not self.add_mod(st, proj, cat=c):
                break
            cats_used.add(c)
        # signature mods usually at the end
        sig = [m for m in st.mods if m in self.signature]
        st.mods = [m for m in st.mods if m not in self.signature] + sig
        if self.p_typo and self.rng.random() < self.p_typo * 2:
            st.typo = make_typo(self.rng, self.render_subject(st))
        return st

    # ------------------------------------------------------------------ rendering
    def render_subject(self, st):
        s = st.subj
        if st.modality == "text":
            return f"{s['task']} {s['noun']}"
        if st.modality == "music":
            return s["noun"]
        noun = s["noun"]
        adj = s.get("adj")
        if adj and adj not in noun.split(" "):
            noun = f"{adj} {noun}"
        if (self.article and st.theme not in ("landscape", "space", "logo")
                and not noun.endswith("s") and not noun.startswith(("bowl", "cup"))):
            vowel = noun[0] in "aeiou" and not noun.startswith(("uni", "use", "eu", "one"))
            noun = ("an " if vowel else "a ") + noun
        elif self.article and noun.startswith(("bowl", "cup")):
            noun = "a " + noun
        parts = [noun]
        if "action" in s:
            parts.append(s["action"])
        if "setting" in s:
            parts.append(s["setting"])
        return " ".join(parts)

    def render(self, st):
        s = st.subj
        if st.typo:
            subj_parts = [st.typo]
        elif st.modality == "image" and self.split_subject and ("action" in s or "setting" in s):
            main = self.render_subject(PromptState(st.modality, st.theme,
                                                   {k: v for k, v in s.items()
                                                    if k in ("noun", "adj")}, []))
            subj_parts = [main] + [s[k] for k in ("action", "setting") if k in s]
        elif st.modality == "music" and "setting" in s:
            subj_parts = [s["noun"], s["setting"]]
        else:
            subj_parts = [self.render_subject(st)]
        parts = subj_parts + [t for _, t in st.mods]
        txt = self.sep.join(parts)
        if not self.lowercase and txt:
            txt = txt[0].upper() + txt[1:]
        return txt

    # ------------------------------------------------------------------ params
    def params(self, modality, proj, seed):
        if modality == "image":
            w, h = proj["size"]
            return {"model": self.img_model, "steps": proj["steps"], "cfg": proj["cfg"],
                    "sampler": self.sampler, "width": w, "height": h, "seed": seed}
        if modality == "text":
            return {"model": self.text_model, "temperature": proj["temperature"],
                    "max_tokens": self.max_tokens, "seed": seed}
        return {"model": self.music_model, "duration": proj["duration"], "seed": seed}

    def param_tweak(self, proj):
        r = self.rng
        if proj["modality"] == "image":
            k = r.random()
            if k < 0.35:
                proj["steps"] = int(np.clip(proj["steps"] + r.choice([-10, -5, 5, 10, 20]), 10, 80))
            elif k < 0.65:
                proj["cfg"] = float(np.clip(proj["cfg"] + r.choice([-2, -1, -0.5, 0.5, 1, 2]),
                                            2, 15))
            else:
                proj["size"] = SIZES[int(r.integers(len(SIZES)))]
        elif proj["modality"] == "text":
            proj["temperature"] = float(r.choice([0.5, 0.7, 0.8, 0.9, 1.0, 1.2]))
        else:
            proj["duration"] = int(r.choice([10, 15, 30, 45, 60, 90]))

    # ------------------------------------------------------------------ projects
    def new_project(self):
        r = self.rng
        mods = list(self.modality_w)
        modality = choice_w(r, mods, [self.modality_w[m] for m in mods])
        if modality == "image":
            theme = THEME_NAMES[int(r.choice(len(THEME_NAMES), p=self.theme_w))]
        else:
            theme = modality
        # hidden target look: a few terms, biased to current taste
        target = set()
        ntar = int(r.integers(1, 4))
        for _ in range(ntar * 3):
            if len(target) >= ntar:
                break
            c = self.pick_category(modality)
            cands = MODS[modality][c]
            w = [math.exp(1.2 * self.tval(modality, c, t)) * p
                 for t, p in zip(cands, pop_weights(len(cands), 0.5), strict=False)]
            target.add((c, choice_w(r, cands, w)))
        size = self.size
        if modality == "image" and r.random() < 0.25:
            if theme == "portrait":
                size = (832, 1216)
            elif theme == "landscape":
                size = (1216, 832)
        proj = {"modality": modality, "theme": theme, "target": target, "history": [],
                "liked": [], "favs": [], "last": None, "last_session": self.session_idx,
                "affinity": r.lognormal(0, 0.5), "size": size, "steps": self.steps,
                "cfg": self.cfg, "temperature": self.temperature, "duration": self.duration,
                "seed": None}
        self.projects.append(proj)
        return proj

    def pick_existing_project(self, exclude=None):
        cand = [p for p in self.projects if p is not exclude]
        if not cand:
            return None
        w = []
        for p in cand:
            age = self.session_idx - p["last_session"]
            fav_bonus = 1.0 + 0.3 * min(len(p["favs"]) + len(p["liked"]) * 0.3, 5)
            w.append(p["affinity"] * fav_bonus * (math.exp(-age / self.proj_tau) + 0.03))
        return choice_w(self.rng, cand, w)

    def resume_prompt(self, proj):
        """Prompt used when (re)entering a project."""
        r = self.rng
        if proj["last"] is None:
            return self.fresh_prompt(proj["modality"], proj["theme"], proj)
        u = r.random()
        if proj["favs"] and u < self.p_fav_return:
            return self.pick_fav(proj).copy()
        if u < self.p_fav_return + self.p_last_return:
            return proj["last"].copy()
        if proj["liked"] and r.random() < 0.5:
            return proj["liked"][-1][1].copy()
        return self.fresh_prompt(proj["modality"], proj["theme"], proj)

    def pick_fav(self, proj):
        src = proj["favs"] if proj["favs"] else proj["liked"]
        n = len(src)
        w = np.array([math.exp(0.3 * (i - n)) * (1 + q) if q > -1 else 0.1
                      for i, (q, _) in enumerate(src)])
        w = np.clip(w, 1e-3, None)
        return src[int(self.rng.choice(n, p=w / w.sum()))][1]

    # ------------------------------------------------------------------ events
    def emit(self, ev):
        self.events.append(ev)

    def new_id(self):
        return f"{int(self.rng.integers(0, 2 ** 63)):016x}"

    def gen_duration(self, modality, proj):
        r = self.rng
        if modality == "image":
            w, h = proj["size"]
            return (w * h / 1e6) * proj["steps"] * 0.35 * r.uniform(0.8, 1.3) + 1.5
        if modality == "text":
            return r.uniform(3, 15)
        return proj["duration"] * r.uniform(0.4, 1.0) + 3

    def generate_step(self, st, proj, op):
        """Emit generate(s) for prompt st; return perceived reaction."""
        r = self.rng
        prompt = self.render(st)
        bs = self.batch if st.modality == "image" else 1
        if r.random() < self.p_batch_other:
            bs = int(r.choice([1, 2, 4]))
        if op == "back_fav" and st.modality == "image" and r.random() < 0.3:
            bs = max(bs, 2)
        lock = self.lock_seed and op not in ("rerun",) and proj["seed"] is not None
        gens = []
        for b in range(bs):
            seed = proj["seed"] if (lock and b == 0) else int(r.integers(0, 2 ** 32 - 1))
            if b == 0:
                proj["seed"] = seed
            gid = self.new_id()
            self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "generate", "id": gid,
                       "modality": st.modality, "prompt": prompt,
                       "params": self.params(st.modality, proj, seed)})
            self.gen_count += 1
            self.t += r.uniform(0.2, 1.5)
            gens.append(gid)
        self.t += self.gen_duration(st.modality, proj) * bs ** 0.6
        # reactions
        best = -1e9
        worst = 1e9
        any_liked = False
        for gid in gens:
            q = self.quality(st, proj)
            kt, ft, dt = self.keep_thr, self.fav_thr, self.del_thr
            self.ema_q += self.ema_a * (q - self.ema_q)
            best = max(best, q)
            worst = min(worst, q)
            self.t += r.lognormal(math.log(4), 0.6)
            reacted = False
            fav = False
            if q > kt:
                any_liked = True
                if q > ft and r.random() < self.p_fav:
                    self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "favourite",
                               "target": gid})
                    reacted = fav = True
                    self.t += r.uniform(0.5, 3)
                elif r.random() < self.p_keep:
                    self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "keep",
                               "target": gid})
                    reacted = True
                    self.t += r.uniform(0.5, 3)
            elif q < dt and r.random() < self.p_del:
                self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "delete",
                           "target": gid})
                reacted = True
                self.t += r.uniform(0.5, 2)
            if self.rater and r.random() < self.p_rate and not (reacted and r.random() < 0.3):
                v = int(np.clip(round(3 + 1.1 * (q - (kt + dt) / 2)
                                      + self.rate_bias + r.normal(0, 0.45)), 1, 5))
                self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "rate",
                           "target": gid, "value": v})
                reacted = True
                self.t += r.uniform(0.5, 2)
            self.outputs.append([gid, q - kt, reacted, fav, self.session_idx])
        # perceived outcome
        if any_liked:
            reaction = "liked"
            proj["liked"].append((best - kt, st.copy()))
            if best > ft:
                proj["favs"].append((best - kt, st.copy()))
        elif best < dt + 0.3 * (bs > 1):
            reaction = "disliked"
        else:
            reaction = "neutral"
        proj["history"].append(st.copy())
        proj["last"] = st.copy()
        return reaction

    # ------------------------------------------------------------------ next move
    def max_mods_for(self, modality):
        return self.max_mods if modality == "image" else min(self.max_mods, 3)

    def choose_op(self, reaction, st, proj):
        w = dict(zip(OPS, self.op_w, strict=False))
        mult = (LIKED_MULT if reaction == "liked"
                else DISLIKED_MULT if reaction == "disliked" else None)
        if mult:
            for k in OPS:
                w[k] *= mult[k] ** self.reactivity
        if reaction == "disliked" and self.consec_bad >= 2:
            f = 1 + 0.35 * (self.consec_bad - 1)
            for k in ("big_change", "new_subject", "back_fav", "switch_project", "new_project"):
                w[k] *= f
            w["rerun"] /= f
        n = len(st.mods)
        # length homeostasis
        if n >= self.max_mods_for(st.modality):
            w["add"] = 0.0
        elif n < self.pref_nmods:
            w["add"] *= 1.5 + 0.5 * (self.pref_nmods - n)
        if n == 0:
            w["drop"] = 0.0
            w["swap"] = 0.0
        elif n > self.pref_nmods:
            w["drop"] *= 1.0 + 0.7 * (n - self.pref_nmods)
        if not (proj["favs"] or proj["liked"]):
            w["back_fav"] = 0.0
        if len(proj["history"]) < 2:
            w["back_prev"] = 0.0
        if len(self.projects) < 2:
            w["switch_project"] = 0.0
        keys = [k for k in OPS if w[k] > 0]
        return choice_w(self.rng, keys, [w[k] for k in keys])

    def apply_op(self, op, st, proj, reaction):
        r = self.rng
        new = st.copy()
        if new.typo and r.random() < 0.6:
            new.typo = None  # noticed the typo
            if op == "rerun":
                return new, proj
        if op == "rerun":
            return new, proj
        if op == "add":
            self.add_mod(new, proj)
        elif op == "drop":
            self.drop_mod(new, recent_bias=(reaction == "disliked"))
        elif op == "swap":
            if not self.swap_mod(new, proj):
                self.add_mod(new, proj)
        elif op == "subject_tweak":
            self.tweak_subject(new)
            new.typo = None
            if self.p_typo and r.random() < self.p_typo:
                new.typo = make_typo(r, self.render_subject(new))
        elif op == "big_change":
            k = int(r.integers(2, 4))
            for _ in range(k):
                u = r.random()
                if u < 0.4 and new.mods:
                    self.swap_mod(new, proj)
                elif u < 0.6 and new.mods:
                    self.drop_mod(new, recent_bias=False)
                elif u < 0.8 and len(new.mods) < self.max_mods_for(new.modality):
                    self.add_mod(new, proj)
                else:
                    self.tweak_subject(new)
                    new.typo = None
        elif op == "back_prev":
            hist = proj["history"]
            if reaction == "disliked" and proj["liked"]:
                new = proj["liked"][-1][1].copy()
            elif len(hist) >= 2:
                new = hist[-2].copy()
        elif op == "back_fav":
            new = self.pick_fav(proj).copy()
        elif op == "new_subject":
            if r.random() < 0.55:
                # keep modifiers, new subject (common: "same look, different thing")
                new.subj = self.new_subject(new.modality, new.theme)
                new.typo = None
                if self.p_typo and r.random() < self.p_typo * 2:
                    new.typo = make_typo(r, self.render_subject(new))
            else:
                new = self.fresh_prompt(proj["modality"], proj["theme"], proj)
        elif op == "switch_project":
            p2 = self.pick_existing_project(exclude=proj)
            if p2 is not None:
                proj = p2
                proj["last_session"] = self.session_idx
                new = self.resume_prompt(proj)
        elif op == "new_project":
            proj = self.new_project()
            new = self.fresh_prompt(proj["modality"], proj["theme"], proj)
        elif op == "param_tweak":
            self.param_tweak(proj)
        return new, proj

    # ------------------------------------------------------------------ sessions
    def run(self):
        r = self.rng
        while self.gen_count < self.target:
            self.session()
            self.session_idx += 1
            # gap to next session (days), at a preferred hour
            gap = self.gap_days * r.lognormal(0, 0.8)
            day = math.floor(self.t / 86400.0 + gap)
            hour = (self.pref_hour + r.normal(0, 2.0)) % 24
            nt = day * 86400.0 + hour * 3600.0
            if nt <= self.t + 1800:
                nt = self.t + 1800 + r.exponential(4 * 3600)
            self.t = nt
            self.drift()
        return self.events

    def session(self):
        r = self.rng
        # browsing the gallery: late favourites / clean-up of older outputs
        if self.outputs and r.random() < self.p_browse_fav:
            old = [o for o in self.outputs if not o[3] and o[1] > 0]
            if old:
                o = old[int(r.integers(len(old)))]
                self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "favourite",
                           "target": o[0]})
                o[3] = True
                self.t += r.uniform(2, 20)
        # choose project
        p_new = self.p_new_proj * (2.0 if len(self.projects) < 2 else 1.0)
        if not self.projects or r.random() < p_new:
            proj = self.new_project()
            st = self.fresh_prompt(proj["modality"], proj["theme"], proj)
        else:
            proj = self.pick_existing_project()
            st = self.resume_prompt(proj)
        proj["last_session"] = self.session_idx
        n_actions = max(1, int(r.geometric(1.0 / self.sess_len)))
        self.consec_bad = 0
        op = "start"
        for i in range(n_actions):
            if self.gen_count >= self.target * 1.02:
                break
            reaction = self.generate_step(st, proj, op)
            self.consec_bad = self.consec_bad + 1 if reaction == "disliked" else 0
            if i == n_actions - 1:
                break
            # give up on a session after a bad streak sometimes
            if self.consec_bad >= 3 and r.random() < 0.25:
                break
            op = self.choose_op(reaction, st, proj)
            prev_mod = proj["modality"]
            st, proj = self.apply_op(op, st, proj, reaction)
            # think / typing time
            typing = {"rerun": 0.25, "add": 1.0, "drop": 0.6, "swap": 1.0, "subject_tweak": 1.2,
                      "big_change": 1.8, "back_prev": 0.8, "back_fav": 1.0, "new_subject": 2.2,
                      "switch_project": 2.0, "new_project": 3.0, "param_tweak": 0.6}[op]
            self.t += self.think * typing * r.lognormal(0, 0.5)
            if proj["modality"] != prev_mod:
                self.t += r.uniform(5, 30)
        # end-of-session clean-up
        if self.p_cleanup and r.random() < self.p_cleanup:
            self.t += r.uniform(10, 120)
            for o in self.outputs:
                if (o[4] == self.session_idx and not o[2]
                        and o[1] < (self.del_off - self.keep_off) / 2 and r.random() < 0.7):
                    self.emit({"ts": round(self.t, 3), "user": self.uid, "type": "delete",
                               "target": o[0]})
                    o[2] = True
                    self.t += r.uniform(0.3, 2.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--gens", type=int, default=300)
    ap.add_argument("--variant", default="casual", choices=sorted(VARIANTS))
    ap.add_argument("out")
    a = ap.parse_args()
    var = VARIANTS[a.variant]
    vidx = sorted(VARIANTS).index(a.variant)
    ss = np.random.SeedSequence([a.seed, vidx, 0xB0B])
    children = ss.spawn(a.users + 1)
    top = np.random.default_rng(children[0])
    t_base = 1704067200.0  # 2024-01-01
    events = []
    for u in range(a.users):
        rng = np.random.default_rng(children[u + 1])
        gt = max(5, round(a.gens * float(np.exp(top.normal(0, 0.3) - 0.045))))
        t0 = t_base + top.uniform(0, 45) * 86400 + top.uniform(17, 23) * 3600
        user = User(f"u{u:04d}", rng, var, gt, t0)
        events.extend(user.run())
    events.sort(key=lambda e: (e["ts"], e["user"]))
    with open(a.out, "w") as f:
        for e in events:
            f.write(json.dumps(e, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
