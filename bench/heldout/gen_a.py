#!/usr/bin/env python3
"""Synthetic usage-history generator for a desktop generative studio.

Population: Stable Diffusion "power users" of the A1111 / ComfyUI kind.

Users write fairly long comma-separated prompts: a boiler-plate block of
quality tags (masterpiece, best quality, highly detailed ...), a subject
(natural-language phrase, or booru-style "1girl, solo, silver hair, ..." for
anime users), then modifiers: medium/style, artists ("by greg rutkowski"),
lighting, camera, colour, mood, environment, detail tags and LoRA tags
(<lora:add_detail:0.6>).  Emphasis is written A1111 style, "(term:1.2)",
"((term))" or "[term]", depending on the user.  Negative prompts, sampler,
cfg, steps, size, checkpoint and seed live in `params`.

Behaviour (all rates drawn per user):
  * many re-rolls with new seeds, often in batches (consecutive seeds);
  * gradual building: one or two parts added at a time until the user's
    preferred length is reached, then swaps / weight tweaks / removals;
  * reaction-dependent moves: after a disliked output the part that was just
    added (or the weight just raised, or the swap just made) is often undone;
    after a streak of bad outputs the user goes back to the best prompt of the
    current idea; after a favourite the user re-rolls more, sometimes locks the
    seed (A1111 "recycle seed") and tweaks the prompt on that seed;
  * new ideas: keep the modifier "style stack" and swap the subject, start
    fresh from the boiler-plate, or reload a saved favourite (often at the
    start of a later session);
  * hidden quality: per-user latent affinity for every term plus per-idea
    subject quality, genre compatibility, length sweet spot, weight
    over-emphasis penalties, parameter effects, and a large seed-noise term
    (fixed seed => same noise component).  Reactions (keep / favourite /
    delete / rate) are thresholds on the quality relative to a running
    personal standard, so users get pickier over time;
  * users learn: beliefs about terms are updated from what they see, mostly
    credited to the last edit; term choice mixes global popularity, belief,
    genre fit and personal habit; the known vocabulary grows over sessions;
  * taste drifts (OU random walk on term affinities, genre preferences,
    preferred length) between sessions; sessions are separated by hours to
    weeks, anchored to each user's preferred hour of day.
  * a few users also write text or music prompts in some sessions.

Variants (--variant):
  a1111   (default) prompts of ~6-15 parts, numeric weights common, batches of
          2-4 frequent, lots of re-rolls.
  comfy   node-graph heavy users: longer prompts (~10-22 parts), more LoRAs
          and weights, more fixed-seed tweaking and parameter fiddling,
          longer sessions, fewer deletes.
  casual  lighter users of the same app: shorter prompts (~3-8), few weights,
          more new ideas, more text/music sessions, fewer reactions.

Usage: python -m bench.heldout.gen_a --seed S --users U --gens G [--variant V] OUT.jsonl
Only stdlib + numpy.  Deterministic for a given (seed, users, gens, variant).
"""
import argparse
import json
import math
import zlib

import numpy as np

# ----------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------
GENRES = ["anime", "portrait", "fantasy", "scifi", "landscape", "creature",
          "horror", "cute", "architecture", "stilllife"]
GI = {g: i for i, g in enumerate(GENRES)}
NG = len(GENRES)

HINTS = {
    "any": {},
    "anime": {"anime": 1.0, "cute": 0.4},
    "photo": {"portrait": 1.0, "stilllife": 0.8, "architecture": 0.5, "landscape": 0.4,
              "creature": 0.3},
    "paint": {"fantasy": 0.7, "landscape": 0.6, "portrait": 0.3, "creature": 0.4},
    "fantasy": {"fantasy": 1.0, "creature": 0.6, "landscape": 0.3, "horror": 0.3},
    "scifi": {"scifi": 1.0, "architecture": 0.3},
    "horror": {"horror": 1.0, "fantasy": 0.3},
    "cute": {"cute": 1.0, "anime": 0.3, "creature": 0.3},
    "land": {"landscape": 1.0, "architecture": 0.5, "fantasy": 0.3},
    "arch": {"architecture": 1.0, "landscape": 0.3, "scifi": 0.2},
    "food": {"stilllife": 1.0},
    "creature": {"creature": 1.0, "fantasy": 0.4, "cute": 0.3},
    "face": {"portrait": 1.0, "anime": 0.2, "fantasy": 0.2},
}

V = {}
V["quality"] = [
    ("any", "masterpiece|best quality|high quality|highly detailed|ultra detailed|"
            "extremely detailed|intricate details|8k|4k|sharp focus|uhd|hdr|high resolution|"
            "trending on artstation|intricate|detailed|perfect composition|award winning|"
            "ultra high res|8k uhd|very aesthetic|amazing quality|professional|fine details|"
            "stunning|beautiful|epic composition|hyperdetailed|insanely detailed|high detail"),
    ("anime", "absurdres|highres|official art|extremely detailed CG unity 8k wallpaper|"
              "beautiful detailed eyes|detailed face|newest|score_9|score_8_up|score_7_up|"
              "featured on pixiv|anime coloring|perfect lighting|best aesthetic"),
    ("photo", "photorealistic|raw photo|hyperrealistic|realistic|ultra realistic|"
              "award winning photography|professional photography|detailed skin texture|skin pores|"
              "natural skin|film grain|dslr quality|8k raw photo|realism"),
    ("paint", "cgsociety|artstation hq|deviantart|behance hd|masterpiece painting|fine art"),
]
V["medium"] = [
    ("any", "digital painting|concept art|digital art|illustration|3d render|octane render|"
            "unreal engine 5|matte painting|cinematic still|unreal engine|blender|cinema 4d|"
            "redshift render|zbrush sculpt|pixel art|low poly|voxel art|vector art|"
            "flat illustration|isometric|papercut|claymation|stained glass|mosaic|double exposure|"
            "tilt-shift|character design|splash art|key visual|lineart|sketch|poster|album cover|"
            "book cover|tarot card|movie poster|film still"),
    ("paint", "oil painting|watercolor|art nouveau|acrylic painting|gouache|ink drawing|"
              "pencil sketch|charcoal drawing|pastel drawing|impasto|oil on canvas|ukiyo-e|"
              "art deco|baroque|renaissance painting|impressionism|expressionism|surrealism|cubism|"
              "pop art|minimalism|romanticism|pre-raphaelite|woodblock print|etching|"
              "chinese ink painting|sumi-e"),
    ("anime", "anime style|manga style|anime screencap|cel shading|studio ghibli style|"
              "90s anime style|chibi|visual novel cg|lofi anime|flat color|anime key visual|"
              "gacha splash art"),
    ("photo", "analog photo|35mm film|polaroid|kodak portra 400|cinestill 800t|lomography|"
              "fujifilm velvia|daguerreotype|infrared photography|long exposure photography|"
              "street photography|fashion photography|portrait photography|product photography|"
              "food photography|wildlife photography|macro photography|aerial photography|"
              "editorial photo|national geographic photo|documentary photography"),
    ("scifi", "cyberpunk|synthwave|steampunk|vaporwave|retrofuturism|dieselpunk|solarpunk|biopunk|"
              "cassette futurism|sci-fi concept art"),
    ("fantasy", "dark fantasy|high fantasy|gothic|grimdark|fairytale illustration|mythological|"
                "d&d art|magic the gathering art|storybook illustration"),
    ("horror", "horror|cosmic horror|eldritch|creepy|dark surrealism|found footage"),
    ("cute", "kawaii|pixar style|cute|pastel art|3d cute character|plush toy|isometric diorama"),
]
V["artist"] = [
    ("any", "alphonse mucha|artgerm|wlop|james jean|loish|ross tran|craig mullins|victo ngai|"
            "john singer sargent|rembrandt|vincent van gogh|claude monet|gustav klimt|egon schiele|"
            "j.c. leyendecker|norman rockwell|edward hopper|mark ryden|takashi murakami|"
            "wes anderson|tom whalen|greg hildebrandt|jim lee|sachin teng|mandy jurgens|"
            "jean giraud"),
    ("paint", "greg rutkowski|ruan jia|peter mohrbacher|tom bagshaw|charlie bowater|"
              "magali villeneuve|karol bak|anna dittmann|wadim kashin|jessica rossier"),
    ("anime", "ilya kuvshinov|makoto shinkai|krenz cushart|sakimichan|range murata|yoshitaka amano|"
              "akihiko yoshida|tetsuya nomura|shigenori soejima|kentaro miura|hayao miyazaki|"
              "yoji shinkawa|rossdraws|guweiz|mika pikazo|yoneyama mai|kyoto animation|ufotable"),
    ("photo", "annie leibovitz|steve mccurry|peter lindbergh|ansel adams|gregory crewdson|"
              "roger deakins|vivian maier|henri cartier-bresson|richard avedon|irving penn|"
              "helmut newton|saul leiter|fan ho|martin parr"),
    ("fantasy", "frank frazetta|boris vallejo|john howe|alan lee|brian froud|arthur rackham|"
                "john william waterhouse|anato finnstark|noah bradley|marc simonetti|"
                "darek zabrocki|jordan grimmer"),
    ("scifi", "simon stalenhag|syd mead|moebius|beeple|sparth|ian mcque|feng zhu|john harris|"
              "chris foss|bruce pennington|paul lehr|kilian eng|jakub rozalski|raphael lacoste|"
              "pascal blanche|rhads|eddie mendoza|dan mumford"),
    ("horror", "h.r. giger|zdzislaw beksinski|junji ito|mike mignola|wayne barlowe|"
               "dariusz zawadzki|tim burton|francis bacon"),
    ("land", "albert bierstadt|ivan shishkin|thomas kinkade|caspar david friedrich|william turner|"
             "ivan aivazovsky|andreas rocha|atey ghailan|alena aenami|james gurney|thomas cole|"
             "hiroshi yoshida|kawase hasui|hokusai"),
    ("cute", "beatrix potter|studio ghibli|pixar|sanrio|jon klassen|tove jansson|goro fujita"),
]
V["lighting"] = [
    ("any", "volumetric lighting|cinematic lighting|dramatic lighting|soft lighting|rim lighting|"
            "golden hour|backlighting|god rays|studio lighting|natural lighting|ambient occlusion|"
            "global illumination|ray tracing|subsurface scattering|chiaroscuro|moonlight|blue hour|"
            "candlelight|neon lights|bioluminescence|glowing|light rays|sunbeams|crepuscular rays|"
            "diffused light|hard shadows|soft shadows|dappled sunlight|overcast light|"
            "warm lighting|cold lighting|lens flare|bloom|firelight|twilight|sunset lighting|"
            "volumetric fog|neon rim light|caustics"),
    ("photo", "rembrandt lighting|softbox lighting|high key lighting|low key lighting|"
              "split lighting|butterfly lighting|three-point lighting|natural window light"),
]
V["camera"] = [
    ("any", "depth of field|close-up|wide shot|full body|portrait|upper body|from below|from above|"
            "dutch angle|low angle|high angle|extreme close-up|establishing shot|birds eye view|"
            "worms eye view|side view|three-quarter view|symmetrical|centered|rule of thirds|"
            "shallow depth of field|bokeh|wide angle|ultra wide angle|fisheye lens|telephoto lens|"
            "macro|panoramic|dynamic angle|looking away|motion blur|long exposure"),
    ("photo", "85mm lens|50mm lens|35mm lens|24mm lens|135mm lens|f/1.4|f/1.8|f/2.8|f/8|iso 100|"
              "canon eos r5|sony a7 iii|nikon d850|fujifilm x-t4|leica m6|hasselblad|"
              "shot on iphone|dslr|kodak gold 200|gopro"),
    ("anime", "looking at viewer|cowboy shot|from side|from behind|pov|face focus|solo focus"),
]
V["color"] = [
    ("any", "vibrant colors|pastel colors|muted colors|teal and orange|monochrome|black and white|"
            "warm tones|cool tones|high contrast|low contrast|desaturated|saturated|colorful|"
            "earthy tones|gold and black|red and black|purple and blue|neon colors|sepia|duotone|"
            "limited palette|complementary colors|iridescent|holographic|rainbow colors|"
            "soft colors|dark palette|bright colors|cinematic color grading|vivid|pastel pink|"
            "emerald green|crimson"),
]
V["mood"] = [
    ("any", "ethereal|moody|atmospheric|epic|dreamy|serene|melancholic|whimsical|mysterious|cozy|"
            "eerie|ominous|peaceful|nostalgic|romantic|lonely|majestic|heroic|tranquil|surreal|"
            "magical|dark|gloomy|hopeful|chaotic|intense|calm|haunting|enchanting|uplifting|"
            "cinematic|dramatic|otherworldly|fairytale|gritty|somber|playful|liminal|bittersweet"),
]
V["env"] = [
    ("any", "at night|sunset|rain|fog|mist|snow|clouds|storm|lightning|starry sky|night sky|"
            "sunrise|moon|full moon|reflections|wet pavement|puddles|falling leaves|snowfall|"
            "city street|alley|rooftop|bridge|river|lake|ocean|beach|garden|bedroom|cafe|"
            "detailed background|bokeh background|gradient background|black background"),
    ("anime", "simple background|white background|classroom|shrine|torii gate|sakura petals|"
              "cherry blossoms|train station|summer festival|school rooftop|fireworks"),
    ("fantasy", "floating islands|ruins|throne room|tavern interior|castle|crystal cave|"
                "battlefield|medieval city|enchanted forest|library|ancient temple|dragon lair|"
                "marketplace|village"),
    ("scifi", "neon city|cyberpunk city|space station|spaceship interior|laboratory|outer space|"
              "nebula|galaxy|wasteland|post-apocalyptic city|megastructure|subway|hangar|"
              "alien planet"),
    ("land", "in a forest|mountains|snowy mountains|waterfall|meadow|field of flowers|"
             "lavender field|autumn leaves|desert|jungle|bamboo forest|swamp|cave|volcano|canyon|"
             "fjord|aurora borealis|rolling hills|valley|coastline|glacier|on a cliff"),
    ("horror", "graveyard|abandoned building|overgrown city|abandoned hospital|dark forest|"
               "basement|blood moon|cornfield|foggy moor"),
    ("arch", "skyline|cityscape|harbor|lighthouse|cathedral|palace|greenhouse|japanese garden|"
             "zen garden|courtyard|interior|living room"),
    ("photo", "studio background|urban background|outdoors|indoors|kitchen"),
]
V["detail"] = [
    ("fantasy", "ornate armor|glowing runes|flowing cape|intricate armor|magic particles|"
                "glowing sword|horns|wings|hooded cloak|crown|feathered wings|elven ears|"
                "gold filigree|jewelry|tattoos|scars|battle damage|fur cloak|staff|magic circle|"
                "fire magic|ice magic|lightning magic|spell book|ornate|embroidery|gemstones|"
                "ancient tome"),
    ("scifi", "cybernetic implants|glowing circuits|neon accents|holograms|power armor|exosuit|"
              "visor|chrome|carbon fiber|mechanical parts|robotic arm|led lights|hud|futuristic|"
              "sleek design|hard surface|panel lines|weathered metal"),
    ("face", "freckles|detailed skin|detailed eyes|wrinkles|beautiful face|symmetrical face|"
             "light smile|messy hair|wet hair|windswept hair|makeup|red lipstick|earrings|scarf|"
             "leather jacket|turtleneck|trench coat|suit|hat|glasses|beard|stubble|tears|sweat|"
             "natural makeup"),
    ("creature", "detailed fur|fur texture|scales|feathers|detailed feathers|glowing markings|"
                 "antlers|majestic mane|iridescent scales|crystal horns|big eyes|sharp teeth"),
    ("land", "lush vegetation|moss|ivy|overgrown|stone walls|wooden beams|stained glass windows|"
             "lanterns|fairy lights|candles|bookshelves|potted plants|wooden floor|marble|brass|"
             "copper|rust|cobblestone|stone bridge|paper lanterns"),
    ("horror", "blood|tentacles|bones|skulls|rusty chains|cracked skin|hollow eyes|long fingers|"
               "decay|dripping|black ooze|rotting flesh"),
    ("food", "steam|condensation|water droplets|garnish|wooden table|ceramic plate|"
             "marble countertop|crumbs|glossy|linen napkin|soft focus background"),
    ("cute", "tiny|chubby|round|sparkles|hearts|bow|ribbon|tiny hat|rosy cheeks|soft fur|"
             "big sparkling eyes|fluffy"),
]
V["hair"] = [("anime", "silver hair|black hair|blonde hair|white hair|pink hair|blue hair|red hair|"
                       "brown hair|purple hair|green hair|orange hair|light blue hair|"
                       "multicolored hair|gradient hair|streaked hair|grey hair")]
V["hairstyle"] = [("anime", "long hair|short hair|very long hair|medium hair|twintails|ponytail|"
                            "side ponytail|braid|twin braids|hair bun|double bun|bob cut|hime cut|"
                            "messy hair|ahoge|bangs|blunt bangs|sidelocks|hair over one eye|"
                            "wavy hair|drill hair")]
V["eyes"] = [("anime", "blue eyes|red eyes|green eyes|golden eyes|purple eyes|heterochromia|"
                       "yellow eyes|brown eyes|aqua eyes|pink eyes|glowing eyes|grey eyes")]
V["outfit"] = [("anime", "school uniform|serafuku|kimono|hoodie|maid outfit|witch hat|yukata|"
                         "sweater|turtleneck sweater|off-shoulder sweater|dress|white dress|"
                         "sundress|gothic lolita|armor|military uniform|suit|jacket|leather jacket|"
                         "cardigan|pleated skirt|boots|scarf|gloves|cape|hooded cloak|"
                         "shrine maiden|china dress|idol outfit|techwear|bodysuit|overalls|apron|"
                         "track jacket|sailor collar|necktie|beret|headphones|wizard robe|"
                         "priestess robe|knight armor|pajamas|raincoat|t-shirt|jeans")]
V["expression"] = [("anime", "smile|light smile|blush|open mouth|closed eyes|serious|"
                             "expressionless|smug|crying|angry|surprised|laughing|sad|determined|"
                             "sleepy|wink|pout|grin")]
V["pose"] = [("anime", "standing|sitting|looking back|arms up|hand on hip|outstretched arm|"
                       "holding sword|holding umbrella|holding book|holding cup|peace sign|running|"
                       "walking|lying|kneeling|leaning forward|crossed arms|hands in pockets|"
                       "dynamic pose|floating|flying|reaching towards viewer|head tilt")]
V["accessory"] = [("anime", "hair ornament|hair ribbon|hair flower|hairclip|earrings|choker|"
                            "necklace|glasses|cat ears|fox ears|animal ears|halo|horns|wings|"
                            "flower crown|bracelet|mask|eyepatch|hat|tiara")]
V["lora"] = [
    ("any", "add_detail|more_details|epiNoiseoffset_v2|detail_tweaker|LowRA|FilmGrain|"
            "add_saturation|hands_fix|eyes_detail|xl_more_art-full|SDXL_offset|lcm_lora_sd15|"
            "sdxl_lightning_4step"),
    ("anime", "ghibli_style_offset|anime_lineart|flat2|chibi_v2|animeoutlineV4"),
    ("photo", "epiCRealismHelper|polaroid_style|CinematicStyle_v1|analog_film_v2"),
    ("paint", "watercolor_v1|oil_painting_v3|inkpunk_v2"),
    ("scifi", "cyberpunk_neon|mecha_v1|Hipoly3DModelLora"),
    ("fantasy", "fantasy_landscape_xl|fairy_tale_v2|dnd_portraits"),
    ("horror", "horror_style|creepy_v2"),
    ("cute", "pixel-art-xl|papercut_v1|CGI_animation|3DMM_V12"),
]
V["negative"] = [("any", "worst quality|low quality|normal quality|lowres|bad anatomy|bad hands|"
                         "text|error|missing fingers|extra digit|fewer digits|cropped|"
                         "jpeg artifacts|signature|watermark|username|blurry|artist name|deformed|"
                         "disfigured|mutated|extra limbs|extra fingers|mutated hands|"
                         "poorly drawn hands|poorly drawn face|ugly|duplicate|morbid|out of frame|"
                         "bad proportions|gross proportions|cloned face|long neck|nsfw|"
                         "easynegative|bad-hands-5|ng_deepnegative_v1_75t|badhandv4|"
                         "bad_prompt_version2|verybadimagenegative_v1.3|cartoon|3d|painting|sketch|"
                         "monochrome|grayscale|oversaturated|overexposed|bad eyes|cross-eyed|"
                         "tiling|logo|frame|border|multiple views|censored")]
# text modality
V["t_tone"] = [("any", "whimsical|melancholic|dark|humorous|bittersweet|uplifting|suspenseful|"
                       "sarcastic|romantic|ominous|nostalgic|philosophical|cozy|absurd|formal|"
                       "playful|eerie|heartfelt|dry humor|epic")]
V["t_pov"] = [("any", "first person|third person|second person|present tense|past tense|"
                      "from the villain's perspective|told by an unreliable narrator|"
                      "as a series of letters|in the voice of a child|as a transcript")]
V["t_length"] = [("any", "300 words|200 words|500 words|100 words|under 50 words|one paragraph|"
                         "three paragraphs|four stanzas|14 lines|short|1000 words")]
V["t_style"] = [("any", "vivid imagery|in the style of edgar allan poe|"
                        "in the style of terry pratchett|in the style of ernest hemingway|"
                        "in the style of h.p. lovecraft|in the style of neil gaiman|"
                        "in the style of jane austen|in the style of raymond carver|"
                        "in the style of ursula k. le guin|in the style of dr. seuss|"
                        "in the style of cormac mccarthy|like a noir detective novel|like a fable|"
                        "like a shakespearean play|like a victorian novel|simple language|"
                        "lyrical prose|minimalist prose|rich sensory details")]
V["t_constraint"] = [("any", "with a twist ending|no rhyme|include dialogue|with rhyme|"
                             "end on a cliffhanger|avoid cliches|use metaphors|"
                             "open with a question|include a moral|make it funny|no adjectives|"
                             "use short sentences|happy ending|open ending|set in winter|"
                             "set in the future|set in the 1920s|include a talking cat|"
                             "for children")]
# music modality
V["m_instr"] = [("any", "piano|analog synth|acoustic guitar|strings|electric piano|rhodes|"
                        "electric guitar|distorted guitar|bass guitar|upright bass|slap bass|"
                        "808 bass|synth bass|arpeggiated synth|pads|violin|cello|choir|"
                        "brass section|saxophone|trumpet|flute|harp|koto|shamisen|sitar|tabla|"
                        "marimba|vibraphone|glockenspiel|music box|organ|accordion|banjo|ukulele|"
                        "drums|breakbeat|trap hi-hats|taiko drums|handpan|kalimba|vocal chops|"
                        "female vocals|male vocals|whistling")]
V["m_mood"] = [("any", "chill|relaxing|melancholic|uplifting|energetic|dark|epic|dreamy|nostalgic|"
                       "mysterious|happy|sad|tense|romantic|groovy|hypnotic|aggressive|peaceful|"
                       "heroic|playful|somber|euphoric|cozy|eerie")]
V["m_tempo"] = [("any", "90 bpm|120 bpm|80 bpm|70 bpm|100 bpm|110 bpm|128 bpm|140 bpm|60 bpm|"
                        "160 bpm|174 bpm|slow tempo|mid tempo|fast tempo|half time")]
V["m_key"] = [("any", "in A minor|in C major|in D minor|in E minor|in F major|in G major|"
                      "in B flat minor|in F sharp minor|major key|minor key")]
V["m_prod"] = [("any", "lo-fi|vinyl crackle|reverb-heavy|tape saturation|wide stereo|"
                       "sidechain compression|analog warmth|crisp mix|punchy drums|"
                       "field recordings|rain sounds|heavily compressed|clean production|"
                       "bitcrushed|live recording|bedroom pop production|high fidelity|warm bass|"
                       "lush reverb|muffled")]
V["m_era"] = [("any", "80s|90s|70s|60s|2000s|retro|futuristic|vintage|modern|classic")]
V["m_use"] = [("any", "for studying|video game soundtrack|boss battle music|menu music|"
                      "meditation background|workout|film score|advertisement jingle|podcast intro|"
                      "sleep music|cafe background|fantasy rpg town theme|driving at night")]
V["m_struct"] = [("any", "loopable|with a build-up|with a drop|slow intro|crescendo|fade out|"
                         "repetitive groove|call and response|key change|long outro|instrumental|"
                         "no vocals")]

T_FORMS = ("short story|poem|haiku|flash fiction|song lyrics|sonnet|limerick|letter|diary entry|"
           "monologue|dialogue scene|"
           "product description|blog post intro|tweet thread|d&d quest hook|character backstory|"
           "fairy tale|bedtime story|"
           "news article|riddle|speech|opening paragraph|villain monologue").split("|")
T_WHO = ("lighthouse keeper|retired astronaut|lonely robot|young witch|detective|time traveler|"
         "baker|ghost|dragon|cat|"
         "librarian|old fisherman|street musician|AI assistant|knight|gardener|mail carrier|"
         "cartographer|barista|chess prodigy").split("|")
T_DOES = ("finds a message in a bottle|forgets how to sleep|falls in love with the moon|"
          "opens a shop at the end of the world|"
          "discovers a hidden door|must deliver one last letter|learns to paint|"
          "hears the ocean talking|wakes up 100 years later|"
          "counts the stars every night|loses their shadow|befriends a storm|keeps a secret garden|"
          "is afraid of the dark|"
          "collects forgotten words|builds a clockwork bird|runs away from home|"
          "solves a murder on a train|"
          "cannot stop telling the truth|guards an empty castle").split("|")
M_GENRES = ("lofi hip hop|synthwave|ambient|epic orchestral|jazz|orchestral|bossa nova|"
            "drum and bass|techno|deep house|trance|"
            "dubstep|trap beat|boom bap|chillwave|vaporwave|city pop|j-pop|indie rock|post-rock|"
            "shoegaze|metal|acoustic folk|"
            "country|blues|funk|disco|reggae|celtic|medieval|chiptune|video game music|"
            "cinematic trailer music|piano ballad|"
            "classical|baroque|string quartet|flamenco|afrobeat|dark ambient|drone|phonk|hyperpop|"
            "soul").split("|")

# subject templates for image genres: (prefix choices or None, noun-phrase format, slots)
SUBJ = {
    "fantasy": (None, "{adj} {who} {doing}", {
        "adj": "battle-worn|young|ancient|mysterious|noble|fallen|hooded|armored|beautiful|fierce|"
               "wise old|cursed|radiant|lone".split("|"),
        "who": "knight|elven archer|sorceress|dwarf blacksmith|necromancer|paladin|ranger|druid|"
               "bard|witch|samurai|valkyrie|dragon rider|orc warlord|fairy queen|vampire lord|"
               "cleric|rogue|monk|barbarian queen|alchemist|oracle".split("|"),
        "doing": "standing on a cliff|casting a spell|holding a glowing sword|riding a horse|"
                 "reading an ancient tome|resting by a campfire|kneeling before a throne|"
                 "walking through ruins|facing a dragon|in a misty forest|summoning lightning|"
                 "guarding a gate|".split("|")}),
    "scifi": (None, "{adj} {who} {doing}", {
        "adj": "cyberpunk|futuristic|rogue|lone|battle-scarred|sleek|colossal|abandoned|rusty|"
               "elite|derelict|neon-lit".split("|"),
        "who": "mercenary|android|space marine|astronaut|netrunner|mech pilot|bounty hunter|"
               "cyborg samurai|starship captain|robot|giant mech|hover car|space station|spaceship|"
               "alien city|mars colony|megacity|street vendor".split("|"),
        "doing": "in the rain|walking through a neon market|overlooking the city|"
                 "orbiting a gas giant|in a hangar|at a noodle stand|on a desert planet|"
                 "drifting through space|after the war|at night|".split("|")}),
    "landscape": (None, "{adj} {place}", {
        "adj": "cozy|serene|abandoned|majestic|misty|vast|hidden|ancient|overgrown|snow-covered|"
               "quiet|sunlit|stormy|enchanted".split("|"),
        "place": "lighthouse on a rocky coast|cabin in the woods|mountain lake|"
                 "temple in the jungle|japanese village|floating island|medieval town|desert oasis|"
                 "waterfall valley|alpine meadow|volcanic landscape|frozen tundra|fjord at dawn|"
                 "canyon|forest path|crystal cave|river delta|rice terraces|windmill on a hill|"
                 "harbor town".split("|")}),
    "portrait": (["portrait", "photo", "close-up portrait", "candid photo", "headshot",
                  "photograph"], "{age} {who} {with}", {
        "age": "young|elderly|middle-aged|old|beautiful|tired|smiling|stern".split("|"),
        "who": "woman|man|fisherman|farmer|nun|ballerina|boxer|chef|soldier|monk|jazz musician|"
               "street vendor|surfer|firefighter|cowboy|biker|scientist|grandmother|bride|sailor|"
               "painter|blacksmith".split("|"),
        "with": "with freckles|with a weathered face|wearing a leather jacket|with braided hair|"
                "smoking a pipe|in the rain|in a sunflower field|by a window|on a busy street|"
                "with a red scarf|in a smoky bar|".split("|")}),
    "creature": (None, "{adj} {creature} {doing}", {
        "adj": "majestic|tiny|ancient|mechanical|crystal|spectral|fluffy|armored|colossal|"
               "bioluminescent|white|golden".split("|"),
        "creature": "red fox|wolf|dragon|owl|tiger|phoenix|griffin|axolotl|koi fish|stag|raven|"
                    "lion|snow leopard|octopus|jellyfish|kitsune|hydra|golem|treant|kraken|whale|"
                    "horse".split("|"),
        "doing": "in the snow|in a forest clearing|flying over mountains|sleeping|roaring|"
                 "in the deep sea|under the moon|perched on a branch|emerging from the mist|"
                 "drinking from a stream|".split("|")}),
    "horror": (None, "{adj} {thing}", {
        "adj": "creepy|abandoned|haunted|twisted|rotting|faceless|ancient|silent|unsettling|"
               "forgotten".split("|"),
        "thing": "hospital corridor|victorian mansion|eldritch creature|plague doctor|"
                 "porcelain doll|figure in the fog|flesh monster|cult ritual|nun|"
                 "scarecrow in a cornfield|underwater horror|shadow creature|skeletal king|"
                 "carnival at night|motel room|child's bedroom|lighthouse".split("|")}),
    "cute": (None, "{adj} {animal} {doing}", {
        "adj": "cute|tiny|fluffy|chubby|happy|sleepy|adorable|little".split("|"),
        "animal": "cat|hamster|corgi|bunny|penguin|frog|panda|red panda|capybara|duckling|otter|"
                  "baby dragon|mushroom creature|slime|fox|hedgehog|axolotl|shiba inu".split("|"),
        "doing": "wearing a wizard hat|drinking tea|eating ramen|reading a book|in a teacup|"
                 "sleeping on a cloud|riding a skateboard|holding a balloon|wearing a raincoat|"
                 "baking bread|in a spacesuit|".split("|")}),
    "architecture": (None, "{adj} {building}", {
        "adj": "gothic|brutalist|futuristic|cozy|abandoned|grand|minimalist|victorian|art deco|"
               "overgrown|modern|traditional".split("|"),
        "building": "cathedral|apartment block|skyscraper|tea house|library interior|"
                    "coffee shop interior|greenhouse|treehouse|underground bunker|hotel lobby|"
                    "courtyard|living room|shopping mall|castle on a hill|train station|bathhouse|"
                    "bookstore|observatory".split("|")}),
    "stilllife": (None, "{adj} {obj}", {
        "adj": "steaming|delicious|vintage|elegant|rustic|glossy|handmade|colorful|fresh|"
               "antique".split("|"),
        "obj": "bowl of ramen|cup of coffee|stack of pancakes|perfume bottle|camera|"
               "bouquet of peonies|sushi platter|strawberry cake|potion bottle|pocket watch|"
               "ceramic vase|croissant|cocktail|pair of sneakers|mechanical keyboard|burger|"
               "teapot".split("|")}),
}
ANIME_COUNT = ["1girl", "1boy", "2girls"]

IMAGE_CAT_ORDER = ["quality", "subject", "hair", "hairstyle", "eyes", "expression", "outfit",
                   "accessory", "pose", "detail", "env", "medium", "artist", "lighting", "camera",
                   "color", "mood", "lora"]
TEXT_CAT_ORDER = ["subject", "t_tone", "t_pov", "t_length", "t_style", "t_constraint"]
MUSIC_CAT_ORDER = ["subject", "m_instr", "m_mood", "m_tempo", "m_key", "m_prod", "m_era", "m_use",
                   "m_struct"]
CAT_MAX = {"quality": 8, "hair": 1, "hairstyle": 2, "eyes": 1, "expression": 1, "outfit": 3,
           "accessory": 2, "pose": 1, "detail": 4, "env": 3, "medium": 3, "artist": 4,
           "lighting": 3, "camera": 3, "color": 2, "mood": 2, "lora": 3, "t_tone": 2, "t_pov": 2,
           "t_length": 1, "t_style": 2, "t_constraint": 2, "m_instr": 4, "m_mood": 2, "m_tempo": 1,
           "m_key": 1, "m_prod": 3, "m_era": 1, "m_use": 1, "m_struct": 2}
ANIME_CATS = {"hair", "hairstyle", "eyes", "expression", "outfit", "accessory", "pose"}
WEIGHTABLE = {"quality", "hair", "hairstyle", "eyes", "expression", "outfit", "accessory", "pose",
              "detail", "env", "medium", "artist", "lighting", "camera", "color", "mood", "subject"}
EXCLUSIVE = {"hair", "eyes", "expression", "pose", "t_length", "m_tempo", "m_key", "m_era", "m_use"}

ANIME_MODELS = ["anything-v5", "counterfeitV30", "meinamix_v11", "AOM3A1B", "animagineXL_v31",
                "ponyDiffusionV6XL"]
REAL_MODELS = ["realisticVisionV51", "epicrealism_naturalSin", "deliberate_v2", "dreamshaper_8",
               "juggernautXL_v9", "sd_xl_base_1.0", "v1-5-pruned-emaonly", "revAnimated_v122",
               "absolutereality_v181", "RealVisXL_V4.0"]
XL_MODELS = {"animagineXL_v31", "ponyDiffusionV6XL", "juggernautXL_v9", "sd_xl_base_1.0",
             "RealVisXL_V4.0"}
SAMPLERS = ["DPM++ 2M Karras", "Euler a", "DPM++ SDE Karras", "DPM++ 2M SDE Karras", "Euler",
            "DDIM", "UniPC", "DPM++ 3M SDE Karras", "Heun", "LMS"]
TEXT_MODELS = ["llama-3-8b-instruct", "mistral-7b-instruct", "qwen2.5-7b-instruct", "gemma-2-9b-it"]
MUSIC_MODELS = ["musicgen-medium", "musicgen-large", "stable-audio-open-1.0"]


def build_vocab(rng):
    terms, cats, hintl, pops = [], [], [], []
    for cat, groups in V.items():
        seen = set()
        for hint, s in groups:
            lst = [t for t in s.split("|") if t]
            hb = 1.0 if hint == "any" else 0.8
            for r, t in enumerate(lst):
                if t in seen:
                    continue
                seen.add(t)
                terms.append(t)
                cats.append(cat)
                hintl.append(hint)
                pops.append(hb * (r + 1.0) ** -0.75)
    n = len(terms)
    G = rng.normal(0.0, 0.15, size=(n, NG))
    for i, h in enumerate(hintl):
        for g, w in HINTS[h].items():
            G[i, GI[g]] += 1.5 * w
        if h != "any":
            G[i] -= 0.6  # specialised terms fit other genres worse
    pops = np.array(pops)
    gq = rng.normal(0.0, 0.2, size=n)  # global "this tag tends to work" bias
    cat_idx = {}
    for i, c in enumerate(cats):
        cat_idx.setdefault(c, []).append(i)
    cat_idx = {c: np.array(v) for c, v in cat_idx.items()}
    return dict(terms=terms, cats=cats, hints=hintl, logpop=np.log(pops), G=G, gq=gq,
                cat_idx=cat_idx, n=n)


# ----------------------------------------------------------------------------
# Variant settings
# ----------------------------------------------------------------------------
VARIANTS = {
    "a1111": dict(L=(6, 15), reroll=(0.28, 0.55), batch_p=(0.15, 0.7),
                  weight_style=(0.6, 0.25, 0.15), weight_rate=(0.04, 0.14), lora_prop=0.35,
                  other_mod_users=0.15, other_mod_p=(0.05, 0.3), sess_len=(10, 40),
                  del_habit=(0.1, 0.8), fixseed=(0.1, 0.45), param_rate=(0.02, 0.07),
                  new_idea=(0.012, 0.04), react=(0.5, 0.95)),
    "comfy": dict(L=(10, 22), reroll=(0.3, 0.6), batch_p=(0.3, 0.85),
                  weight_style=(0.8, 0.12, 0.08), weight_rate=(0.08, 0.2), lora_prop=0.8,
                  other_mod_users=0.1, other_mod_p=(0.05, 0.25), sess_len=(20, 60),
                  del_habit=(0.05, 0.5), fixseed=(0.3, 0.7), param_rate=(0.04, 0.12),
                  new_idea=(0.008, 0.03), react=(0.4, 0.9)),
    "casual": dict(L=(3, 8), reroll=(0.2, 0.45), batch_p=(0.0, 0.35), weight_style=(0.2, 0.2, 0.6),
                   weight_rate=(0.0, 0.06), lora_prop=0.08, other_mod_users=0.4,
                   other_mod_p=(0.1, 0.5), sess_len=(5, 20), del_habit=(0.05, 0.6),
                   fixseed=(0.0, 0.15), param_rate=(0.0, 0.04), new_idea=(0.03, 0.08),
                   react=(0.3, 0.8)),
}

T0 = 1_680_000_000.0  # 2023-03-28


def art(np_):
    return "an" if np_[:1].lower() in "aeiou" else "a"


def fmt_w(w):
    s = f"{w:.2f}".rstrip("0").rstrip(".")
    return s


class User:
    def __init__(self, uid, idx, rng, voc, var, n_gens):
        self.uid, self.idx, self.rng, self.voc, self.var = uid, idx, rng, voc, var
        self.n_gens = n_gens
        r = rng
        n = voc["n"]
        # hidden taste
        self.base = voc["gq"] + r.normal(0.0, 0.55, size=n)
        self.drift = np.zeros(n)
        self.genre_taste = r.normal(0.0, 0.35, size=NG)
        self.compat_q = r.uniform(0.4, 0.9)
        # beliefs
        know = r.uniform(0.15, 0.6)
        self.belief = know * self.base + r.normal(0.0, 0.3, size=n)
        self.uses = np.zeros(n)
        self.known = np.zeros(n, dtype=bool)
        frac = r.uniform(0.25, 0.6)
        for _c, idx_ in voc["cat_idx"].items():
            p = np.exp(voc["logpop"][idx_])
            p /= p.sum()
            k = max(3, round(frac * len(idx_)))
            k = min(k, len(idx_))
            self.known[r.choice(idx_, size=k, replace=False, p=p)] = True
        # genre preferences (log weights), concentrated on a few genres
        gp = r.normal(0.0, 1.2, size=NG)
        if r.random() < 0.45:
            gp[GI["anime"]] += 1.5
        self.genre_logw = gp
        # prompt habits
        L0, L1 = var["L"]
        self.L_target = float(r.integers(L0, L1 + 1))
        self.L_sweet = self.L_target + r.normal(0, 2.0)
        self.reroll = r.uniform(*var["reroll"])
        self.batch_p = r.uniform(*var["batch_p"])
        self.batch_max = int(r.choice([2, 3, 4, 4, 4, 6]))
        ws = var["weight_style"]
        self.wstyle = r.choice(["numeric", "parens", "none"], p=np.array(ws) / sum(ws))
        self.wstep = 0.05 if r.random() < 0.2 else 0.1
        self.weight_rate = r.uniform(*var["weight_rate"]) if self.wstyle != "none" else 0.0
        self.add_rate = r.uniform(0.25, 0.45)
        self.remove_rate = r.uniform(0.05, 0.15)
        self.swap_rate = r.uniform(0.06, 0.18)
        self.subj_rate = r.uniform(0.03, 0.12)
        self.param_rate = r.uniform(*var["param_rate"])
        self.neg_rate = r.uniform(0.0, 0.03)
        self.new_idea = r.uniform(*var["new_idea"])
        self.p_undo = r.uniform(0.3, 0.85)
        self.undo_th = r.uniform(0.2, 0.8)
        self.patience = int(r.integers(3, 9))
        self.two_add = r.uniform(0.1, 0.45)
        self.append_end = r.random() < 0.65
        self.boiler_first = r.random() < 0.75
        self.articles = r.random() < 0.75
        self.artist_fmt = r.choice(["by {}", "by {}", "art by {}", "{}", "in the style of {}",
                                    "artwork by {}"])
        self.beta = r.uniform(0.8, 2.5)
        self.alpha = r.uniform(0.6, 1.2)
        self.compat_w = r.uniform(1.5, 3.5)
        self.habit = r.uniform(0.1, 1.5)
        self.lr = r.uniform(0.05, 0.25)
        self.fixseed = r.uniform(*var["fixseed"])
        self.p_load_fav_start = r.uniform(0.05, 0.35)
        self.p_continue_start = r.uniform(0.15, 0.5)
        self.p_restyle = r.uniform(0.2, 0.6)
        cp = {"quality": 0.4, "detail": 1.0, "env": 1.0, "medium": 0.9, "artist": 1.0,
              "lighting": 1.0, "camera": 0.8, "color": 0.6, "mood": 0.7, "lora": var["lora_prop"],
              "hair": 0.3, "hairstyle": 0.6,
              "eyes": 0.4, "expression": 0.6, "outfit": 0.9, "accessory": 0.6, "pose": 0.7,
              "t_tone": 1.0, "t_pov": 0.6, "t_length": 0.8, "t_style": 0.8, "t_constraint": 0.7,
              "m_instr": 1.2, "m_mood": 0.9, "m_tempo": 0.7, "m_key": 0.3, "m_prod": 0.8,
              "m_era": 0.5, "m_use": 0.5, "m_struct": 0.5}
        self.catp = {c: v * r.gamma(2.0, 0.5) for c, v in cp.items()}
        # reactions
        self.react = r.uniform(*var["react"])
        self.fav_z = r.uniform(1.1, 2.0)
        self.keep_z = r.uniform(0.3, 1.0)
        self.del_z = -r.uniform(0.5, 1.3)
        self.del_habit = r.uniform(*var["del_habit"])
        self.rate_habit = r.choice([0.0, 0.0, 0.02, 0.1, 0.4]) * r.uniform(0.5, 1.0)
        self.rate_bias = r.normal(0, 0.4)
        self.cleanup = r.uniform(0.0, 0.4) * (self.del_habit > 0.2)
        self.mu = 0.0
        self.sd = 1.1
        self.adapt = r.uniform(0.005, 0.03)
        # params habits
        self.anime_model = r.choice(ANIME_MODELS)
        self.real_model = r.choice(REAL_MODELS)
        self.model_aff = {m: r.normal(0, 0.25) for m in ANIME_MODELS + REAL_MODELS}
        self.sampler = r.choice(SAMPLERS[:5], p=[0.4, 0.25, 0.15, 0.12, 0.08])
        self.sampler_aff = {s: r.normal(0, 0.12) for s in SAMPLERS}
        self.steps = int(r.choice([20, 20, 25, 28, 30, 30, 35, 40]))
        self.cfg = float(r.choice([5.0, 6.0, 6.5, 7.0, 7.0, 7.5, 8.0]))
        self.cfg_best = r.uniform(5.0, 8.5)
        self.hires = r.random() < 0.35
        self.clip_skip = 2 if r.random() < 0.6 else 1
        # boiler-plate quality block and negative prompt
        self.boiler = self._make_boiler()
        self.neg = self._make_neg()
        # other modalities
        self.p_text = self.p_music = 0.0
        if r.random() < var["other_mod_users"]:
            p = r.uniform(*var["other_mod_p"])
            s = r.random()
            self.p_text, self.p_music = p * s, p * (1 - s)
        self.text_model = r.choice(TEXT_MODELS)
        self.music_model = r.choice(MUSIC_MODELS)
        # activity timing
        self.sess_mean = r.uniform(*var["sess_len"])
        self.hour = r.normal(20.5, 3.0)
        self.gap_scale = r.lognormal(0.0, 0.6)
        self.think = r.lognormal(0.0, 0.35)
        # bookkeeping
        self.events = []
        self.gid = 0
        self.favs = []  # dicts: parts, params, idea, key, ts, z, modality
        self.val = {}   # rendered prompt -> (ema z, count)
        self.state = {}  # gen id -> 'keep'/'fav'/'del'/None
        self.t = T0 + r.uniform(0, 45 * 86400)
        self.last_session_prompt = None

    # ---------------------------------------------------------------- helpers
    def _tid(self, text, cat):
        for i in self.voc["cat_idx"][cat]:
            if self.voc["terms"][i] == text:
                return int(i)
        raise KeyError(text)

    def _make_boiler(self):
        r = self.rng
        k = int(r.integers(0, 7))
        if self.var is VARIANTS["casual"]:
            k = int(r.integers(0, 3))
        out = []
        if k == 0:
            return out
        first = ["masterpiece", "best quality"] if r.random() < 0.7 else []
        chosen = list(first[:k])
        prim = GENRES[int(np.argmax(self.genre_logw))]
        style = {"anime": "anime", "cute": "anime", "portrait": "photo", "stilllife": "photo",
                 "architecture": "photo"}.get(prim, "paint")
        q = np.array([i for i in self.voc["cat_idx"]["quality"]
                      if self.voc["hints"][i] in ("any", style) or r.random() < 0.1])
        while len(chosen) < k:
            p = np.exp(self.voc["logpop"][q] * 1.5 + r.normal(0, 0.5, size=len(q)))
            t = self.voc["terms"][int(r.choice(q, p=p / p.sum()))]
            if t not in chosen:
                chosen.append(t)
        for t in chosen:
            w = 1.0
            if self.wstyle != "none" and t in ("masterpiece", "best quality") and r.random() < 0.3:
                w = float(r.choice([1.1, 1.2, 1.2, 1.3, 1.4]))
            out.append((t, "quality", self._tid(t, "quality"), w))
        return out

    def _make_neg(self):
        r = self.rng
        if self.var is VARIANTS["casual"] and r.random() < 0.5:
            return []
        negs = self.voc["cat_idx"]["negative"]
        k = int(r.integers(3, 20))
        p = np.exp(self.voc["logpop"][negs] * 1.3)
        pick = r.choice(negs, size=min(k, len(negs)), replace=False, p=p / p.sum())
        out = []
        for i in sorted(pick):
            t = self.voc["terms"][int(i)]
            w = 1.0
            if (t in ("worst quality", "low quality", "normal quality") and self.wstyle == "numeric"
                    and r.random() < 0.6):
                w = float(r.choice([1.2, 1.3, 1.4, 1.4, 1.5, 2.0]))
            out.append((t, w))
        return out

    def neg_str(self):
        return ", ".join(f"({t}:{fmt_w(w)})" if w != 1.0 else t for t, w in self.neg)

    def aff(self, tid, genre):
        return self.base[tid] + self.drift[tid] + self.compat_q * self.voc["G"][tid, genre]

    def render_part(self, p):
        text, cat, _tid, w = p
        if cat == "lora":
            return f"<lora:{text}:{fmt_w(w)}>"
        if cat == "artist":
            text = self.artist_fmt.format(text)
        if abs(w - 1.0) < 1e-9:
            return text
        if self.wstyle == "parens":
            if w > 1.0:
                k = max(1, round(math.log(w) / math.log(1.1)))
                k = min(k, 4)
                return "(" * k + text + ")" * k
            return "[" + text + "]"
        return f"({text}:{fmt_w(w)})"

    def render(self, parts):
        return ", ".join(self.render_part(p) for p in parts)

    def pick_genre(self, around=None):
        lw = self.genre_logw.copy()
        if around is not None:
            lw[around] += 1.2
        p = np.exp(lw - lw.max())
        return int(self.rng.choice(NG, p=p / p.sum()))

    # ---------------------------------------------------------------- subjects
    def new_subject(self, idea):
        r = self.rng
        mod = idea["modality"]
        if mod == "text":
            form = r.choice(T_FORMS)
            prem = (f"{art(idea.setdefault('who', r.choice(T_WHO)))} {idea['who']} "
                    f"who {r.choice(T_DOES)}")
            idea["slots"] = {"form": form, "prem": prem}
            wf = f"write {form}" if form.endswith("lyrics") else f"write {art(form)} {form}"
            return [(wf, "subject", None, 1.0) if r.random() < 0.5
                    else (form, "subject", None, 1.0),
                    (f"about {prem}", "subject", None, 1.0)]
        if mod == "music":
            g = r.choice(M_GENRES)
            idea["slots"] = {"g": g}
            return [(g if r.random() < 0.6 else f"{g} track", "subject", None, 1.0)]
        genre = GENRES[idea["genre"]]
        if genre == "anime":
            cnt = r.choice(ANIME_COUNT, p=[0.72, 0.18, 0.10])
            parts = [(cnt, "subject", None, 1.0)]
            if cnt != "2girls" and r.random() < 0.7:
                parts.append(("solo", "subject", None, 1.0))
            feats = ["hair", "hairstyle", "eyes", "outfit"]
            if r.random() < 0.5:
                feats.append("expression")
            if r.random() < 0.3:
                feats.append("outfit")
            for c in feats:
                if r.random() < 0.85:
                    t = self.choose_term(c, idea, parts)
                    if t is not None:
                        parts.append((self.voc["terms"][t], c, t, 1.0))
            return parts
        pre, _fmt, slots = SUBJ[genre]
        idea["slots"] = {k: r.choice(v) for k, v in slots.items()}
        if pre is not None:
            idea["slots"]["_pre"] = r.choice(pre)
        return [(self.subject_text(idea), "subject", None, 1.0)]

    def subject_text(self, idea):
        genre = GENRES[idea["genre"]]
        pre, fmt, _ = SUBJ[genre]
        s = fmt.format(**idea["slots"])
        s = " ".join(s.split())
        if self.articles or pre is not None:
            s = f"{art(s)} {s}"
        if pre is not None:
            s = f"{idea['slots']['_pre']} of {s}"
        return s

    def rewrite_subject(self, idea, parts):
        """Resample one slot of the subject (or change an anime feature)."""
        r = self.rng
        mod = idea["modality"]
        if mod == "image" and GENRES[idea["genre"]] == "anime":
            feats = [i for i, p in enumerate(parts) if p[1] in ANIME_CATS]
            if feats and r.random() < 0.8:
                i = int(r.choice(feats))
                c = parts[i][1]
                t = self.choose_term(c, idea, parts)
                if t is None:
                    return None
                new = list(parts)
                new[i] = (self.voc["terms"][t], c, t, parts[i][3])
                return new, ("swap", t, parts[i][2])
            cnt = [i for i, p in enumerate(parts) if p[1] == "subject" and p[0] in ANIME_COUNT]
            if not cnt:
                return None
            new = list(parts)
            new[cnt[0]] = (r.choice(ANIME_COUNT, p=[0.72, 0.18, 0.10]), "subject", None, 1.0)
            idea["subj_q"] += r.normal(0, 0.3)
            return new, ("subject", None, None)
        si = [i for i, p in enumerate(parts) if p[1] == "subject"]
        if not si:
            return None
        new = list(parts)
        if mod == "text":
            if r.random() < 0.5:
                idea["slots"]["prem"] = f"{art(idea['who'])} {idea['who']} who {r.choice(T_DOES)}"
            else:
                idea["who"] = r.choice(T_WHO)
                idea["slots"]["prem"] = f"{art(idea['who'])} {idea['who']} who {r.choice(T_DOES)}"
            new[si[-1]] = (f"about {idea['slots']['prem']}", "subject", None, 1.0)
        elif mod == "music":
            g = r.choice(M_GENRES)
            idea["slots"]["g"] = g
            new[si[0]] = (g, "subject", None, 1.0)
        else:
            genre = GENRES[idea["genre"]]
            pre, _fmt, slots = SUBJ[genre]
            keys = list(slots.keys()) + (["_pre"] if pre is not None else [])
            k = r.choice(keys)
            vals = pre if k == "_pre" else slots[k]
            idea["slots"][k] = r.choice(vals)
            new[si[0]] = (self.subject_text(idea), "subject", None, new[si[0]][3])
        idea["subj_q"] += r.normal(0, 0.3)
        return new, ("subject", None, None)

    # ---------------------------------------------------------------- term choice
    def cat_candidates(self, idea):
        mod = idea["modality"]
        if mod == "text":
            return TEXT_CAT_ORDER[1:]
        if mod == "music":
            return MUSIC_CAT_ORDER[1:]
        cats = [c for c in IMAGE_CAT_ORDER if c != "subject"]
        if GENRES[idea["genre"]] != "anime":
            cats = [c for c in cats if c not in ANIME_CATS]
        return cats

    def choose_term(self, cat, idea, parts):
        voc = self.voc
        idx = voc["cat_idx"][cat]
        present = {p[2] for p in parts if p[2] is not None}
        mask = np.array([i not in present for i in idx])
        if not mask.any():
            return None
        g = idea["genre"] if idea["modality"] == "image" else 0
        gterm = voc["G"][idx, g] if idea["modality"] == "image" else 0.0
        # unknown terms can still be "discovered" (seen in someone else's prompt)
        score = (self.alpha * voc["logpop"][idx] + self.beta * self.belief[idx]
                 + self.compat_w * gterm
                 + np.log1p(self.habit * self.uses[idx]) - 2.5 * (~self.known[idx]))
        score = np.where(mask, score, -np.inf)
        p = np.exp(score - score.max())
        t = int(self.rng.choice(idx, p=p / p.sum()))
        self.known[t] = True
        return t

    def choose_cat(self, idea, parts):
        counts = {}
        for p in parts:
            counts[p[1]] = counts.get(p[1], 0) + 1
        cats, w = [], []
        for c in self.cat_candidates(idea):
            k = counts.get(c, 0)
            if k >= CAT_MAX.get(c, 3):
                continue
            cats.append(c)
            w.append(self.catp.get(c, 0.5) * (0.55 ** k))
        if not cats:
            return None
        w = np.array(w)
        return cats[int(self.rng.choice(len(cats), p=w / w.sum()))]

    def insert_part(self, parts, part, order):
        if self.append_end or part[1] not in order:
            # LoRA tags stay at the very end for most users
            if parts and parts[-1][1] == "lora" and part[1] != "lora":
                j = len(parts)
                while j > 0 and parts[j - 1][1] == "lora":
                    j -= 1
                return [*parts[:j], part, *parts[j:]]
            return [*parts, part]
        pos = order.index(part[1])
        j = len(parts)
        for i, p in enumerate(parts):
            if p[1] in order and order.index(p[1]) > pos:
                j = i
                break
        return [*parts[:j], part, *parts[j:]]

    # ---------------------------------------------------------------- edits
    def edit_add(self, idea, parts):
        order = {"image": IMAGE_CAT_ORDER, "text": TEXT_CAT_ORDER,
                 "music": MUSIC_CAT_ORDER}[idea["modality"]]
        n_add = 2 if self.rng.random() < self.two_add else 1
        added = []
        new = list(parts)
        for _ in range(n_add):
            c = self.choose_cat(idea, new)
            if c is None:
                break
            t = self.choose_term(c, idea, new)
            if t is None:
                break
            if c in EXCLUSIVE:
                ex = [i for i, p in enumerate(new) if p[1] == c]
                if ex:
                    new[ex[0]] = (self.voc["terms"][t], c, t, 1.0)
                    added.append(t)
                    continue
            w = 1.0
            if c == "lora":
                w = float(self.rng.choice([0.4, 0.5, 0.6, 0.7, 0.8, 0.8, 1.0]))
            elif (self.wstyle != "none" and idea["modality"] == "image"
                  and self.rng.random() < self.weight_rate * 1.5):
                w = 1.0 + self.wstep * int(self.rng.integers(1, 4))
            new = self.insert_part(new, (self.voc["terms"][t], c, t, w), order)
            added.append(t)
        if not added:
            return None
        return new, ("add", added, None)

    def edit_remove(self, idea, parts):
        cand = [i for i, p in enumerate(parts) if p[2] is not None and p[1] not in ("quality",)]
        if len(cand) < 1:
            return None
        b = np.array([self.belief[parts[i][2]] for i in cand])
        p = np.exp(-1.5 * b)
        i = cand[int(self.rng.choice(len(cand), p=p / p.sum()))]
        new = parts[:i] + parts[i + 1:]
        return new, ("remove", [parts[i][2]], parts[i])

    def edit_swap(self, idea, parts):
        cand = [i for i, p in enumerate(parts) if p[2] is not None and p[1] != "quality"]
        if not cand:
            return None
        b = np.array([self.belief[parts[i][2]] for i in cand])
        p = np.exp(-1.2 * b)
        i = cand[int(self.rng.choice(len(cand), p=p / p.sum()))]
        c = parts[i][1]
        t = self.choose_term(c, idea, parts)
        if t is None:
            return None
        new = list(parts)
        new[i] = (self.voc["terms"][t], c, t, parts[i][3])
        return new, ("swap", t, parts[i][2])

    def edit_weight(self, idea, parts):
        cand = [i for i, p in enumerate(parts) if (p[1] in WEIGHTABLE or p[1] == "lora")]
        if not cand:
            return None
        # recently added / high-belief parts get emphasised
        sc = []
        for j, i in enumerate(cand):
            tid = parts[i][2]
            b = self.belief[tid] if tid is not None else 0.3
            sc.append(abs(b) + 0.4 * (j / len(cand))
                      + (0.5 if abs(parts[i][3] - 1.0) > 1e-9 else 0.0))
        sc = np.array(sc)
        p = np.exp(2.0 * sc)
        i = cand[int(self.rng.choice(len(cand), p=p / p.sum()))]
        text, c, tid, w = parts[i]
        b = self.belief[tid] if tid is not None else 0.3
        step = self.wstep * (2 if self.rng.random() < 0.25 else 1)
        if c == "lora":
            step = 0.1 * (2 if self.rng.random() < 0.3 else 1)
            up = self.rng.random() < (0.6 if b > 0 else 0.35)
            nw = min(1.2, max(0.2, w + (step if up else -step)))
        else:
            up = self.rng.random() < (0.75 if b > 0 else 0.3)
            if self.wstyle == "parens":
                nw = w * 1.1 if up else (w / 1.1 if w > 1.0 else 0.9)
                nw = min(1.1 ** 4, max(0.9, nw))
                if abs(nw - 1.0) < 0.02:
                    nw = 1.0
            else:
                nw = round(min(1.6, max(0.5, w + (step if up else -step))), 2)
        if abs(nw - w) < 1e-9:
            return None
        new = list(parts)
        new[i] = (text, c, tid, nw)
        return new, ("weight", tid, w)

    def edit_param(self, idea, params):
        r = self.rng
        p = dict(params)
        if idea["modality"] != "image":
            if "temperature" in p:
                p["temperature"] = round(
                    min(1.5, max(0.2, p["temperature"] + r.choice([-0.2, -0.1, 0.1, 0.2]))), 2)
            elif "duration" in p:
                p["duration"] = int(r.choice([10, 15, 20, 30, 45, 60]))
            return p
        k = r.choice(["cfg", "steps", "sampler", "size", "hires", "model"],
                     p=[0.3, 0.2, 0.2, 0.12, 0.1, 0.08])
        if k == "cfg":
            p["cfg"] = float(min(15.0, max(1.5, p["cfg"] + r.choice([-1.0, -0.5, 0.5, 1.0]))))
            self.cfg = p["cfg"]
        elif k == "steps":
            p["steps"] = int(r.choice([20, 25, 28, 30, 35, 40, 50]))
            self.steps = p["steps"]
        elif k == "sampler":
            p["sampler"] = r.choice(SAMPLERS)
            if self.sampler_aff[p["sampler"]] > self.sampler_aff[self.sampler]:
                self.sampler = p["sampler"]
        elif k == "size":
            p["width"], p["height"] = self.pick_size(idea, p["model"],
                                                     force_change=(p["width"], p["height"]))
        elif k == "hires":
            p["hires_fix"] = not p.get("hires_fix", False)
            if p["hires_fix"]:
                p["hires_upscale"] = float(r.choice([1.5, 1.5, 2.0]))
                p["denoising_strength"] = float(r.choice([0.35, 0.4, 0.45, 0.5, 0.55]))
            else:
                p.pop("hires_upscale", None)
                p.pop("denoising_strength", None)
        else:
            pool = ANIME_MODELS if GENRES[idea["genre"]] in ("anime", "cute") else REAL_MODELS
            m = r.choice(pool)
            p["model"] = m
            if GENRES[idea["genre"]] in ("anime", "cute"):
                self.anime_model = m
            else:
                self.real_model = m
            p["width"], p["height"] = self.pick_size(idea, m)
        return p

    def edit_neg(self):
        r = self.rng
        negs = self.voc["cat_idx"]["negative"]
        have = {t for t, _ in self.neg}
        cand = [self.voc["terms"][i] for i in negs if self.voc["terms"][i] not in have]
        if cand and (r.random() < 0.8 or len(self.neg) < 3):
            self.neg = [*self.neg, (r.choice(cand[:30] if r.random() < 0.7 else cand), 1.0)]
        elif self.neg:
            i = int(r.integers(len(self.neg)))
            self.neg = self.neg[:i] + self.neg[i + 1:]

    def pick_size(self, idea, model, force_change=None):
        r = self.rng
        g = GENRES[idea["genre"]]
        xl = model in XL_MODELS
        port = [(832, 1216), (896, 1152)] if xl else [(512, 768), (512, 704), (576, 832)]
        land = [(1216, 832), (1152, 896)] if xl else [(768, 512), (704, 512), (832, 576)]
        sq = [(1024, 1024)] if xl else [(512, 512), (640, 640)]
        if g in ("anime", "portrait"):
            opts = port * 3 + sq + land
        elif g in ("landscape", "architecture", "scifi"):
            opts = land * 3 + sq + port
        else:
            opts = sq * 2 + port + land
        for _ in range(10):
            s = opts[int(r.integers(len(opts)))]
            if force_change is None or tuple(s) != tuple(force_change):
                return s
        return opts[0]

    def default_params(self, idea):
        r = self.rng
        if idea["modality"] == "text":
            return {"model": self.text_model, "temperature": float(r.choice([0.7, 0.8, 0.9, 1.0])),
                    "max_tokens": int(r.choice([256, 512, 512, 1024])), "seed": 0}
        if idea["modality"] == "music":
            return {"model": self.music_model, "duration": int(r.choice([15, 20, 30, 30])),
                    "cfg": 3.0, "seed": 0}
        g = GENRES[idea["genre"]]
        model = (self.anime_model if g in ("anime",) or (g == "cute" and r.random() < 0.5)
                 else self.real_model)
        w, h = self.pick_size(idea, model)
        p = {"model": model, "sampler": self.sampler, "steps": self.steps, "cfg": self.cfg,
             "width": int(w), "height": int(h), "seed": 0}
        if model in ANIME_MODELS:
            p["clip_skip"] = self.clip_skip
        if self.hires:
            p["hires_fix"] = True
            p["hires_upscale"] = 1.5 if model not in XL_MODELS else 1.25
            p["denoising_strength"] = 0.45
        return p

    # ---------------------------------------------------------------- quality
    def quality(self, idea, parts, params, seed):
        r = self.rng
        g = idea["genre"] if idea["modality"] == "image" else 0
        q = idea["subj_q"]
        s = 0.0
        k = 0
        pen = 0.0
        counts = {}
        for _text, c, tid, w in parts:
            counts[c] = counts.get(c, 0) + 1
            if tid is None:
                if w > 1.0:
                    q += 0.3 * (w - 1.0) - max(0.0, w - 1.4) * 2.0
                continue
            a = self.aff(tid, g)
            if c == "lora":
                s += a * (0.5 + w)
                pen += max(0.0, w - 0.9) * 2.5
            else:
                s += a * (1.0 + 1.8 * (w - 1.0))
                pen += max(0.0, w - 1.35) * 3.0 + max(0.0, 0.7 - w) * 1.0
            k += 1
        q += 0.9 * s / math.sqrt(max(k, 1))
        n = len(parts)
        q -= min(1.2, 0.025 * (n - self.L_sweet) ** 2)
        q -= 0.25 * max(0, counts.get("artist", 0) - 3) + 0.3 * max(0, counts.get("lora", 0) - 2)
        q -= pen
        if idea["modality"] == "image":
            q -= 0.05 * (params["cfg"] - self.cfg_best) ** 2
            q -= 0.4 * (params["steps"] < 18)
            q += (self.sampler_aff.get(params["sampler"], 0.0)
                  + self.model_aff.get(params["model"], 0.0))
            anime_m = params["model"] in ANIME_MODELS
            if GENRES[g] == "anime":
                q += 0.4 if anime_m else -0.5
            elif GENRES[g] in ("portrait", "stilllife", "architecture", "landscape"):
                q += -0.5 if anime_m else 0.1
            q += 0.15 * bool(params.get("hires_fix"))
            q += 0.04 * min(len(self.neg), 10) / 10.0
        q += self.genre_taste[g] * (idea["modality"] == "image")
        # seed noise: the seed determines most of the composition
        sn = np.random.default_rng([int(seed) & 0xFFFFFFFF, self.idx, 7]).normal()
        q += 0.8 * sn + 0.55 * r.normal()
        return q

    # ---------------------------------------------------------------- events
    def emit(self, ev):
        ev["user"] = self.uid
        self.events.append(ev)

    def generate(self, idea, parts, params, fixed_seed=None):
        """Run one (possibly batched) generation; returns list of (gid, z)."""
        r = self.rng
        mod = idea["modality"]
        nb = 1
        if mod == "image" and r.random() < self.batch_p:
            nb = int(r.integers(2, self.batch_max + 1))
        seed = fixed_seed if fixed_seed is not None else int(r.integers(0, 4294967295))
        prompt = self.render(parts)
        out = []
        for b in range(nb):
            self.gid += 1
            gid = f"{self.uid}-{self.gid:05d}"
            pp = dict(params)
            pp["seed"] = int((seed + b) % 4294967296)
            if mod == "image" and self.neg:
                pp["negative_prompt"] = self.neg_str()
            if mod == "image" and nb > 1:
                pp["batch_index"] = b
            self.emit({"ts": round(self.t, 3), "type": "generate", "id": gid, "modality": mod,
                       "prompt": prompt, "params": pp})
            q = self.quality(idea, parts, pp, pp["seed"])
            if mod == "image":
                dur = (pp["steps"] * (0.35 if pp["model"] in XL_MODELS else 0.12)
                       * (pp["width"] * pp["height"] / 393216))
                dur *= 1.9 if pp.get("hires_fix") else 1.0
            elif mod == "text":
                dur = pp["max_tokens"] * 0.02
            else:
                dur = pp["duration"] * 0.8
            self.t += dur * r.uniform(0.9, 1.2) + 0.5
            out.append((gid, q, pp["seed"]))
        # review
        res = []
        for gid, q, sd in out:
            z = (q - self.mu) / self.sd
            self.mu += self.adapt * (q - self.mu)
            self.state[gid] = None
            self.t += r.lognormal(0.3, 0.5) * self.think
            if r.random() < self.react:
                if z > self.fav_z and r.random() < 0.85:
                    self.emit({"ts": round(self.t, 3), "type": "favourite", "target": gid})
                    self.state[gid] = "fav"
                elif z > self.keep_z and r.random() < 0.8:
                    self.emit({"ts": round(self.t, 3), "type": "keep", "target": gid})
                    self.state[gid] = "keep"
                elif z < self.del_z and r.random() < self.del_habit:
                    self.emit({"ts": round(self.t, 3), "type": "delete", "target": gid})
                    self.state[gid] = "del"
                if (self.state[gid] != "del"
                        and r.random() < self.rate_habit * (1.5 if self.state[gid] else 0.6)):
                    v = int(min(5, max(1, round(3.0 + 1.1 * z + self.rate_bias
                                                + r.normal(0, 0.5)))))
                    self.t += r.uniform(0.5, 3.0)
                    self.emit({"ts": round(self.t, 3), "type": "rate", "target": gid, "value": v})
            # perceived quality (user does not see exactly the hidden value)
            res.append((gid, z + r.normal(0, 0.3), sd))
        return res

    # ---------------------------------------------------------------- ideas
    def new_idea_state(self, modality, genre=None):
        r = self.rng
        if genre is None:
            genre = self.pick_genre() if modality == "image" else 0
        idea = {"modality": modality, "genre": int(genre), "subj_q": r.normal(0.0, 0.45),
                "steps": 0, "favs": 0, "frust": 0, "hist": [],
                "target": self.L_target + int(r.integers(-2, 3))}
        if modality != "image":
            idea["target"] = int(r.integers(3, 8))
        return idea

    def fresh_prompt(self, idea):
        r = self.rng
        subj = self.new_subject(idea)
        if idea["modality"] == "image":
            parts = list(self.boiler) + subj
            if not self.boiler_first:  # some put the quality block after the subject
                parts = subj + list(self.boiler)
        else:
            parts = subj
        # paste a few habitual modifiers right away
        room = max(0, idea["target"] - len(parts))
        k = int(r.integers(0, max(1, int(0.6 * room)) + 1))
        for _ in range(k):
            res = self.edit_add(idea, parts)
            if res:
                parts = res[0]
        return parts

    def restyle(self, old_idea, parts):
        """Keep the modifier stack, put in a new subject."""
        r = self.rng
        same = r.random() < 0.55
        genre = old_idea["genre"] if same else self.pick_genre(around=old_idea["genre"])
        idea = self.new_idea_state("image", genre)
        subj = self.new_subject(idea)
        # keep the style stack; subject-specific details that clash with the new subject are dropped
        keep = []
        for p in parts:
            if p[1] == "subject" or p[1] in ANIME_CATS:
                continue
            if p[1] in ("detail", "env") and p[2] is not None:
                fit = self.voc["G"][p[2], genre]
                if r.random() < (0.85 if fit < 0.3 else 0.25):
                    continue
            keep.append(p)
        # put new subject where the old one was (after quality block, usually)
        qi = 0
        while qi < len(keep) and keep[qi][1] == "quality":
            qi += 1
        new = keep[:qi] + subj + keep[qi:]
        idea["target"] = max(idea["target"], len(new) - 1)
        return idea, new

    # ---------------------------------------------------------------- session loop
    def drift_taste(self):
        r = self.rng
        self.drift = 0.92 * self.drift + r.normal(0, 0.12, size=self.drift.shape)
        self.genre_logw += r.normal(0, 0.25, size=NG)
        self.genre_taste += r.normal(0, 0.05, size=NG)
        if r.random() < 0.15:
            self.L_target = min(self.var["L"][1] + 4, self.L_target + 1)
        elif r.random() < 0.06:
            self.L_target = max(2, self.L_target - 1)
        # discover some new vocabulary (community, other people's prompts)
        unk = np.flatnonzero(~self.known)
        if len(unk):
            k = min(len(unk), int(r.poisson(2.5)))
            if k:
                p = np.exp(self.voc["logpop"][unk])
                self.known[r.choice(unk, size=k, replace=False, p=p / p.sum())] = True
        if r.random() < 0.05 and self.var is not VARIANTS["casual"]:
            # occasionally the quality boiler-plate changes
            if self.boiler and r.random() < 0.4:
                i = int(r.integers(len(self.boiler)))
                self.boiler = self.boiler[:i] + self.boiler[i + 1:]
            else:
                q = self.voc["cat_idx"]["quality"]
                have = {p[2] for p in self.boiler}
                c = [i for i in q if i not in have]
                if c:
                    t = int(r.choice(c[:25]))
                    self.boiler = [*self.boiler, (self.voc["terms"][t], "quality", t, 1.0)]
        if r.random() < 0.08:
            self.edit_neg()

    def next_session_start(self):
        r = self.rng
        u = r.random()
        if u < 0.3:
            gap = 1200 + r.exponential(3 * 3600)
        elif u < 0.82:
            gap = 86400 * (1 + r.exponential(1.5))
        else:
            gap = 86400 * r.uniform(4, 25)
        gap *= self.gap_scale
        t = self.t + gap
        if gap > 12 * 3600:
            day = math.floor(t / 86400)
            t2 = day * 86400 + (self.hour + r.normal(0, 1.5)) % 24 * 3600
            t = max(t2, self.t + 1800)
        self.t = t

    def run(self):
        r = self.rng
        first = True
        while self.gid < self.n_gens:
            if not first:
                self.next_session_start()
                self.drift_taste()
            first = False
            sess_len = max(2, int(r.geometric(1.0 / self.sess_mean)))
            u = r.random()
            modality = "image"
            if u < self.p_text:
                modality = "text"
            elif u < self.p_text + self.p_music:
                modality = "music"
            # how the session starts
            v = r.random()
            img_favs = [f for f in self.favs if f["idea"]["modality"] == modality]
            if (modality == "image" and self.last_session_prompt is not None
                    and v < self.p_continue_start):
                idea, parts, params = self.last_session_prompt
                idea = dict(self.snap(idea), steps=0, frust=0)
                parts, params = list(parts), dict(params)
                how = "continue"
            elif img_favs and v < self.p_continue_start + self.p_load_fav_start:
                idea, parts, params = self.load_fav(img_favs)
                how = "fav"
            else:
                idea = self.new_idea_state(modality)
                parts = self.fresh_prompt(idea)
                params = self.default_params(idea)
                how = "new"
            self.t += r.lognormal(3.5 if how == "new" else 2.5, 0.6) * self.think
            self.session(idea, parts, params, sess_len)
        # keep per-user ts monotone (safety)
        last = -1e18
        for ev in self.events:
            if ev["ts"] < last:
                ev["ts"] = last
            last = ev["ts"]
        return self.events

    @staticmethod
    def snap(idea):
        d = dict(idea, hist=[])
        d["slots"] = dict(idea.get("slots", {}))
        return d

    def load_fav(self, favs):
        r = self.rng
        now = self.t
        w = np.array([math.exp(-(now - f["ts"]) / (40 * 86400)) + 0.15 + 0.1 * max(0.0, f["z"])
                      for f in favs])
        f = favs[int(r.choice(len(favs), p=w / w.sum()))]
        idea = dict(f["idea"], steps=0, frust=0, hist=[], favs=0)
        idea["slots"] = dict(f["idea"].get("slots", {}))
        params = dict(f["params"])
        params.pop("negative_prompt", None)
        params.pop("batch_index", None)
        return idea, list(f["parts"]), params

    def session(self, idea, parts, params, sess_len):
        r = self.rng
        fixed_seed = None
        last_edit = None
        prev_parts = None
        prev_params = None
        prev_subj = None
        ref_z = None
        rerolls = 0
        sess_gids = []
        n_done = 0
        while n_done < sess_len and self.gid < self.n_gens:
            key = self.render(parts)
            res = self.generate(idea, parts, params, fixed_seed)
            n_done += len(res)
            sess_gids += [g for g, _, _ in res]
            for tid in {p[2] for p in parts if p[2] is not None}:
                self.uses[tid] += 1
            zs = [z for _, z, _ in res]
            best_i = int(np.argmax(zs))
            zb = zs[best_i]
            zm = float(np.mean(zs))
            favd = [res[i] for i in range(len(res)) if self.state[res[i][0]] == "fav"]
            for _gid, z, sd in favd:
                pp = dict(params)
                pp["seed"] = sd
                self.favs.append({"parts": list(parts), "params": pp, "idea": self.snap(idea),
                                  "key": key, "ts": self.t, "z": z})
                idea["favs"] += 1
            # value of this prompt (running estimate)
            v0, c0 = self.val.get(key, (0.0, 0))
            self.val[key] = ((v0 * c0 + zb) / (c0 + 1), c0 + 1)
            idea["hist"].append((list(parts), dict(params), self.val[key][0]))
            idea["steps"] += 1
            idea["frust"] = idea["frust"] + 1 if zb < 0.0 else 0
            # --- learning: credit the last edit
            if last_edit is not None and ref_z is not None:
                delta = zb - ref_z
                kind, a, b = last_edit
                if kind == "add":
                    for t in a:
                        self.belief[t] += self.lr * delta
                elif kind == "remove":
                    for t in a:
                        self.belief[t] -= self.lr * delta
                elif kind == "swap":
                    self.belief[a] += self.lr * delta
                    if b is not None:
                        self.belief[b] -= self.lr * delta * 0.5
                elif kind == "weight" and a is not None:
                    self.belief[a] += self.lr * 0.5 * delta
            for p in parts:
                if p[2] is not None:
                    self.belief[p[2]] += self.lr * 0.1 * zm
            # --- decide next move
            self.t += 0.0
            undo = False
            if (last_edit is not None and ref_z is not None
                    and last_edit[0] in ("add", "swap", "weight", "subject")
                    and zb - ref_z < -self.undo_th and not favd and r.random() < self.p_undo):
                undo = True
            if undo:
                parts, params = prev_parts, prev_params
                idea["slots"], idea["subj_q"] = prev_subj
                last_edit = None
                ref_z = ref_z  # the old prompt's reference value
                rerolls = 0
                fixed_seed = None if r.random() < 0.7 else fixed_seed
                self.t += r.lognormal(2.2, 0.6) * self.think
                continue
            cur_ref = self.val[key][0]
            # fixed-seed behaviour
            if favd and r.random() < self.fixseed and idea["modality"] == "image":
                fixed_seed = favd[0][2]
            elif fixed_seed is not None and r.random() < 0.25:
                fixed_seed = None
            n = len(parts)
            tgt = idea["target"]
            good = zb > self.keep_z
            w = {
                "reroll": self.reroll
                          * (2.2 if favd else 1.6 if good else 0.55 if zb < self.del_z else 1.0)
                          * (0.6 ** max(0, rerolls - 2))
                          * (0.3 if fixed_seed is not None else 1.0),
                "add": self.add_rate * ((1.2 + 0.25 * (tgt - n)) if n < tgt else 0.35)
                       * (0.6 if good else 1.0),
                "remove": self.remove_rate * (1.8 if n > tgt + 1 else 0.6)
                          * (1.5 if zb < -0.5 else 1.0),
                "swap": self.swap_rate * (1.4 if zb < 0 else 1.0),
                "weight": self.weight_rate * (1.3 if n >= tgt else 0.6),
                "subject": self.subj_rate,
                "param": self.param_rate,
                "neg": self.neg_rate if idea["modality"] == "image" else 0.0,
                "new": self.new_idea * (1 + idea["steps"] / 12.0)
                       * (1.0 + 1.5 * min(idea["favs"], 3) / 3.0)
                       * (2.0 if idea["frust"] >= self.patience else 1.0),
                "fav": 0.012 if self.favs else 0.0,
                "back": 0.5 if (idea["frust"] >= self.patience and len(idea["hist"]) > 3) else 0.0,
            }
            if self.wstyle == "none" or idea["modality"] != "image":
                w["weight"] = 0.0
            names = list(w.keys())
            pw = np.array([w[k] for k in names])
            act = names[int(r.choice(len(names), p=pw / pw.sum()))]
            new_parts, new_params, edit = parts, params, None
            subj_before = (dict(idea.get("slots", {})), idea["subj_q"])
            think_mu = 2.9
            if act == "reroll":
                rerolls += 1
                think_mu = 1.3
                fixed_seed = None
            elif act in ("add", "remove", "swap", "weight", "subject"):
                fn = {"add": self.edit_add, "remove": self.edit_remove, "swap": self.edit_swap,
                      "weight": self.edit_weight}.get(act)
                res2 = fn(idea, parts) if fn else self.rewrite_subject(idea, parts)
                if res2 is None:
                    rerolls += 1
                    think_mu = 1.3
                else:
                    new_parts, edit = res2
                    rerolls = 0
                    think_mu = 2.6 if act in ("weight", "remove") else 3.0
            elif act == "param":
                new_params = self.edit_param(idea, params)
                rerolls = 0
                think_mu = 2.3
            elif act == "neg":
                self.edit_neg()
                think_mu = 2.8
            elif act == "back":
                hist = idea["hist"]
                bi = int(np.argmax([h[2] for h in hist]))
                new_parts, new_params = list(hist[bi][0]), dict(hist[bi][1])
                idea["frust"] = 0
                think_mu = 2.5
                rerolls = 0
            elif act == "fav":
                idea, new_parts, new_params = self.load_fav(self.favs)
                if idea["modality"] == "image" and r.random() < 0.35:
                    fixed_seed = new_params["seed"]
                think_mu = 3.2
            elif act == "new":
                rerolls = 0
                fixed_seed = None
                if idea["modality"] == "image" and r.random() < self.p_restyle:
                    idea, new_parts = self.restyle(idea, parts)
                    new_params = dict(params)
                    if ((GENRES[idea["genre"]] == "anime"
                         and params.get("model") not in ANIME_MODELS)
                            or (GENRES[idea["genre"]] != "anime"
                                and params.get("model") in ANIME_MODELS and r.random() < 0.7)):
                        new_params = self.default_params(idea)
                    think_mu = 3.3
                else:
                    mod = idea["modality"]
                    idea = self.new_idea_state(mod)
                    new_parts = self.fresh_prompt(idea)
                    new_params = self.default_params(idea)
                    think_mu = 3.8
            if act in ("add", "remove", "swap", "weight", "subject") and edit is not None:
                prev_parts, prev_params, prev_subj = parts, params, subj_before
                last_edit = edit
                ref_z = cur_ref
            elif act == "param":
                prev_parts, prev_params, prev_subj = parts, params, subj_before
                last_edit = ("param", None, None)
                ref_z = cur_ref
            else:
                last_edit = None
                ref_z = None
            parts, params = new_parts, new_params
            self.t += r.lognormal(think_mu, 0.6) * self.think
        # end of session
        if idea["modality"] == "image":
            self.last_session_prompt = (self.snap(idea), list(parts), dict(params))
        if r.random() < self.cleanup:
            self.t += r.uniform(10, 120)
            for g in sess_gids:
                if self.state.get(g) is None and r.random() < 0.5:
                    self.t += r.uniform(0.3, 2.0)
                    self.emit({"ts": round(self.t, 3), "type": "delete", "target": g})
                    self.state[g] = "del"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--gens", type=int, default=300)
    ap.add_argument("--variant", default="a1111", choices=sorted(VARIANTS))
    ap.add_argument("out")
    a = ap.parse_args()
    var = VARIANTS[a.variant]
    vseed = zlib.crc32(a.variant.encode())
    voc = build_vocab(np.random.default_rng([a.seed, 12345]))
    events = []
    for i in range(a.users):
        rng = np.random.default_rng([a.seed, vseed, i])
        n_g = max(5, round(a.gens * math.exp(rng.normal(0, 0.2))))
        u = User(f"u{i:04d}", i, rng, voc, var, n_g)
        events.extend(u.run())
    events.sort(key=lambda e: e["ts"])  # stable: per-user order preserved
    with open(a.out, "w") as f:
        for e in events:
            o = {"ts": e["ts"], "user": e["user"], "type": e["type"]}
            for k in ("id", "modality", "prompt", "params", "target", "value"):
                if k in e:
                    o[k] = e[k]
            f.write(json.dumps(o) + "\n")


if __name__ == "__main__":
    main()
