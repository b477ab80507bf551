"""Phrases that mean a medical emergency or a mental-health crisis, in English and Spanish.

:func:`agent.safety.screen_caller_turn` searches the whole caller turn for every pattern
here, so an emergency said in the middle of another request ("I need to cancel my
appointment, I've been thinking about ending my life") is still found. Patterns run on
:func:`agent.safety.fold` output: lower case, no accents, straight apostrophes.

Callers rarely say "chest pain" or "stroke". They say "there's an elephant on my chest",
"my face is drooping", "I don't want to be here anymore". So each rule lists the indirect
wordings too, including common speech-to-text slips ("chess pain", "can't breath"). A
wording that is also ordinary clinic talk is only matched in a form that is not:
"chest X-ray", "blood pressure" and "I hurt myself at work" match nothing, and "can't go on"
needs "anymore" or "like this" after it.
"""

from __future__ import annotations

import re

Rules = list[tuple[str, re.Pattern[str]]]

# Whose body the caller is talking about.
_WHO = r"(?:my|his|her|their|the|our|your|one|its)"
_CANT = r"(?:can'?t|cannot|can not|couldn'?t|unable to|barely|hardly|can barely|can hardly)"
_CHEST = r"(?:chest|chess)"
_BREATHE = r"(?:breathe?|breathing|catch (?:my|his|her|their) breath|get (?:any )?air)"
_LIMB = r"(?:arm|arms|leg|legs|hand|side|face|foot)"
_PILLS = r"(?:pills|tablets|meds|medications?|medicine|capsules|sleeping pills|painkillers)"
_DRUGS = r"(?:tylenol|advil|aspirin|ibuprofen|acetaminophen|oxy\w*|insulin|xanax|opioids?)"
_SELF = r"(?:myself|my self)"
_PERSON = (
    r"(?:he|she|they|him|her|baby|husband|wife|son|daughter|mom|mother|dad|father|kid|child|"
    r"grandma|grandpa|grandmother|grandfather|partner|friend|brother|sister)"
)


def _rule(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + ")")


EMERGENCY_RULES: Rules = [
    (
        "chest_pain",
        _rule(
            rf"{_CHEST} (?:pains?|hurts?|(?:is )?hurting|is killing|tightness|pressure|"
            r"discomfort|(?:feels|is|got|getting|went) (?:so |really |very |all )?(?:tight|"
            r"heavy|crushed|like (?:it'?s|an?|someone|something)))",
            r"(?:pains?|pressure|tightness|heaviness|squeezing|crushing(?: pressure| pain)?|"
            rf"burning|discomfort|weight) (?:\S+ ){{0,3}}(?:in|on|across|around) {_WHO} {_CHEST}",
            rf"(?:sitting|standing|pressing|lying|weighing) on {_WHO} {_CHEST}",
            r"heart attack",
            r"heart (?:\S+ ){0,4}(?:explode|exploding|burst|bursting)",
            r"(?:heart|chest) (?:is |feels like it'?s )?(?:going to|gonna|about to) "
            r"(?:stop|explode)",
            r"(?:me|le|nos) duele (?:mucho |muchisimo |bastante |fuerte )?(?:el )?pecho",
            r"dolor (?:\w+ ){0,3}(?:de|en el|del) pecho",
            r"(?:presion|opresion|apreton|peso) en el pecho",
            r"ataque (?:al|de) corazon",
            r"infarto",
        ),
    ),
    (
        "breathing",
        _rule(
            rf"{_CANT} (?:\w+ )?{_BREATHE}",
            rf"(?:hard|tough|difficult) (?:time )?(?:to )?{_BREATHE}",
            rf"(?:trouble|difficulty|struggling|fighting|problems?) (?:with |to )?{_BREATHE}",
            r"short(?:ness)? of breath",
            r"(?:isn'?t|is not|not|stopped|quit|no longer|hasn'?t been) breathing",
            r"gasping(?: for (?:air|breath))?",
            r"choking",
            r"(?:turning|turned|going|gone) (?:blue|purple)\b(?! cross| shield)",
            r"(?:lips|face|skin) (?:is |are )?(?:turning )?(?:blue|purple)\b(?! cross| shield)",
            r"(?:throat|airway|tongue) (?:is |feels )?(?:closing|swelling|swollen|tight)",
            r"(?:lips|tongue|face|mouth) (?:is |are )?(?:swelling|swollen|puffing)(?: up)?"
            r"(?:,? and (?:i|he|she|they) (?:can'?t|cannot) (?:swallow|breathe))",
            r"anaphyla",
            r"no (?:puedo|puede|podemos|pueden|podia) respirar",
            r"(?:me|le|nos) falta (?:el )?aire",
            r"(?:dificultad|problemas?) para respirar",
            r"no respira",
            r"(?:me|se|le|te) (?:esta |estoy )?ahog(?:a|o|ando|ado|ada)\b",
            r"se (?:esta )?atragant",
            r"(?:se (?:esta )?(?:poniendo|puso)|labios|cara) (?:\S+ )?(?:azul|morad[oa])",
        ),
    ),
    (
        "stroke",
        _rule(
            r"stroke",
            r"(?:face|smile|mouth|eye|eyelid) (?:is |looks |went |has gone |seems |got )?"
            r"(?:all )?(?:drooping|droopy|crooked|lopsided|uneven|sagging)",
            r"(?:drooping|droopy|crooked|lopsided) (?:face|smile|mouth)",
            r"face droop",
            r"slurr(?:ed|ing)",
            r"(?:speech|words) (?:is |are )?(?:slurred|garbled|jumbled|coming out (?:wrong|funny))",
            rf"(?:can'?t|cannot|can not|couldn'?t|unable to) (?:move|feel|lift|raise|use) "
            rf"{_WHO} (?:left |right )?{_LIMB}",
            r"(?:arm|leg|face|side) (?:is |went |has gone |feels |suddenly |just )*(?:numb|dead|"
            r"limp|paralyzed)",
            r"(?:numb|weak)(?:ness)? (?:on|in|down) one side",
            r"worst headache",
            r"(?:sudden(?:ly)?|all of a sudden) (?:\S+ ){0,3}(?:can'?t see|blind|confused|lost "
            r"(?:my|his|her|their) (?:vision|sight))",
            r"can'?t see out of (?:one|my|his|her|their) (?:left |right )?eye",
            r"derrame",
            r"cara (?:\S+ )?(?:caida|torcida|chueca|dormida|paralizada)",
            r"boca (?:\S+ )?(?:caida|torcida|chueca)",
            r"no (?:puedo|puede) (?:mover|sentir|levantar) (?:el|la|los|las|mi|su|sus) "
            r"(?:brazo|brazos|pierna|piernas|mano|cara|lado)",
            r"no (?:siento|siente) (?:el|la|mi|su) (?:brazo|pierna|mano|cara|lado)",
            r"arrastra(?:ndo)? las palabras",
            r"habla (?:muy )?(?:raro|enredado|arrastrado)",
            r"(?:el )?peor dolor de cabeza",
        ),
    ),
    (
        "bleeding",
        _rule(
            r"(?:severe|heavy|serious|bad|lots of|major|uncontrolled) bleeding",
            r"bleeding (?:heavily|a lot|badly|profusely|everywhere|so much|really bad|like crazy"
            r"|nonstop|non-stop|all over)",
            r"bleed\w* (?:\S+ ){0,6}(?:won'?t|will not|doesn'?t|does not|can'?t|isn'?t going to"
            r"|hasn'?t) stop",
            r"(?:won'?t|will not|doesn'?t|does not|can'?t|cannot|isn'?t) stop(?:ping)? "
            r"(?:the )?bleed",
            r"(?:lots|a lot|so much|too much|tons) of blood",
            r"blood (?:is )?(?:everywhere|gushing|pouring|spurting|all over)",
            r"(?:coughing|throwing|vomiting|spitting|puking) (?:up )?blood",
            r"pregnan\w* (?:\S+ ){0,6}bleed",
            r"bleed\w* (?:\S+ ){0,6}pregnan",
            r"bleed\w* (?:badly |a lot |heavily )?from (?:\S+ )?(?:head|ears?|eyes|mouth)",
            r"sangrado (?:muy )?(?:fuerte|abundante|grave|mucho)",
            r"sangr\w+ (?:muy )?mucho",
            r"no (?:para|deja|paro|dejo) de sangrar",
            r"sangr\w+ (?:\S+ )?(?:de|por) la (?:cabeza|boca|oreja|nariz y la boca)",
            r"mucha sangre",
            r"(?:vomitando|vomita|tosiendo|tose|escupiendo) sangre",
            r"embarazada (?:\S+ ){0,6}sangr",
            r"sangr\w+ (?:\S+ ){0,6}embarazada",
        ),
    ),
    (
        "unresponsive",
        _rule(
            r"unconscious",
            r"passed out",
            r"blacked out",
            r"fainted",
            r"collapsed",
            r"unresponsive",
            rf"{_PERSON}(?:'s| is| are)? (?:not|isn'?t|won'?t|is not|will not|stopped|aren'?t) "
            r"respond",
            r"(?:not|isn'?t|won'?t) (?:wake|waking) up(?! (?:early|at|so|that|before|for|in time))",
            r"(?:can'?t|cannot|couldn'?t) (?:wake|get) (?:him|her|them) (?:up|to wake)",
            r"(?:going|gonna|about) to (?:faint|pass out)",
            rf"{_PERSON}(?:'s| is| are)? (?:not|isn'?t|stopped|won'?t|hasn'?t been|can'?t) "
            r"(?:moving|move)\b",
            r"(?:baby|infant|newborn|child|kid|son|daughter|toddler) (?:\S+ ){0,6}(?:is |went |"
            r"gone |feels |seems |got )?(?:limp|floppy|lethargic)",
            r"fever (?:of |is |at )?(?:10[5-9]|11\d)\b",
            r"(?:10[5-9]|11\d)(?: degrees?)? fever",
            r"seizure(?!s? (?:medication|medicine|meds|pills|drugs?|disorder|history|"
            r"prescription|refill))",
            r"convulsing",
            r"overdos",
            r"(?:took|swallowed|ate|taken|downed) (?:a |the |an )?(?:whole|entire|full|half "
            rf"(?:a|the)) (?:bottle|box|pack|packet|jar) of (?:\S+ )?(?:{_PILLS}|{_DRUGS})",
            r"(?:took|swallowed|taken|ate) (?:too many|all (?:of )?(?:my|his|her|the)|a bunch "
            rf"of|a lot of|a handful of|lots of|a whole lot of) (?:\S+ )?{_PILLS}",
            r"(?:swallowed|drank|ate|drinking|eaten) (?:some |a |the )?(?:bleach|poison|"
            r"detergent|antifreeze|drain cleaner|laundry pod|tide pod|button battery|battery|"
            r"batteries|cleaning (?:stuff|product|fluid))",
            r"(?<!food )poison(?:ed|ing)\b",
            r"inconsciente",
            r"se desmay",
            r"(?:me|se) (?:voy|va) a desmayar",
            r"desmayad[oa]",
            r"(?:esposo|esposa|marido|hijo|hija|bebe|nino|nina|mama|papa|madre|padre|abuelo|"
            r"abuela|el|ella) (?:ya )?no (?:responde|reacciona|despierta)",
            r"sobredosis",
            r"convulsi",
            r"(?:se|me) (?:trago|tomo|bebio|comio|trague|tome|bebi|comi) (?:\S+ ){0,3}(?:cloro|"
            r"veneno|pastillas|pildoras|frasco|pila|detergente|medicinas|medicamentos)",
            r"envenen",
        ),
    ),
]

EMERGENCY_RULES.append(
    (
        "injury",
        _rule(
            r"(?:fell|fallen|fall|fallen down) (?:\S+ ){0,4}(?:can'?t|cannot|couldn'?t|unable to) "
            r"get (?:up|back up)",
            r"(?:hit|banged|struck|smacked) (?:my|his|her|their|the) head (?:\S+ ){0,5}(?:bleed|"
            r"unconscious|passed out|blacked out|throwing up|vomit|confused)",
            r"se (?:cayo|ha caido) (?:\S+ ){0,4}no (?:se )?puede levantar",
            r"se (?:golpeo|pego) (?:en )?la cabeza",
        ),
    )
)

_VICTIM = (
    r"(?:me|us|him|her|them|my (?:wife|husband|partner|kids?|children|son|daughter|mom|mother|"
    r"dad|father|baby|family|girlfriend|boyfriend)|someone|somebody)"
)
EMERGENCY_RULES.append(
    (
        "violence",
        _rule(
            r"(?:threaten\w*|going|gonna|trying|tried|wants?|about|says (?:he|she)'?s? going) to "
            rf"(?:kill|hurt|shoot|stab|beat|strangle|choke) {_VICTIM}\b",
            r"(?:has|have|got|with|pulled|holding|pointing) (?:a|an) (?:gun|knife|weapon|rifle|"
            r"pistol)",
            r"(?:being|been|getting) (?:attacked|stabbed|shot|beaten)",
            r"me (?:quiere|va a|amenaza con) (?:matar|pegar|lastimar|hacer dano)",
            r"(?:tiene|saco) (?:una|un) (?:pistola|arma|cuchillo)",
            r"(?:voy a|quiero) (?:matar|lastimar|pegar)(?:le| a mi| a alguien)",
        ),
    )
)

CRISIS_RULES: Rules = [
    (
        "self_harm",
        _rule(
            r"suicid",
            rf"kill(?:ing)? {_SELF}",
            rf"(?:want|wanna|going|gonna|thinking (?:about|of)|thoughts of|urges? to|feel like|"
            rf"afraid i'?(?:ll|m going to)|might|planning to|plan to) (?:to )?(?:hurt|harm|cut|"
            rf"kill|hang|shoot|poison)(?:ing)? {_SELF}",
            rf"harm(?:ing)? {_SELF}",
            rf"been (?:cutting|hurting|harming) {_SELF}",
            r"self[- ]?harm",
            r"end(?:ing)? it all",
            r"(?:end|ending|take|taking) (?:my|his|her) (?:own )?life",
            r"(?:thinking|thought|think|thoughts) (?:about|of) (?:ending|end) (?:it|things|"
            r"everything)",
            r"(?:want|wanna|going|gonna|ready) (?:to )?end (?:it|things|everything)\b"
            r"(?! (?:here|there) for)",
            r"(?:don'?t|do not|no longer) want to (?:live|be alive|exist|keep living|go on "
            r"living)\b",
            r"(?:don'?t|do not|no longer) want to wake up(?! (?:early|at|so|that|before|for|in))",
            r"(?:don'?t|do not) want to be (?:here|around|on this earth|in this world)"
            r"(?: (?:anymore|any more|any longer)|\W*$)",
            r"no longer want to be (?:here|around|alive)",
            r"(?:want|wanna|wish|wishing|ready) (?:to )?die",
            r"wish (?:i|i'd) (?:was|were|had) (?:dead|died|never been born)",
            r"wish i (?:wasn'?t|weren'?t) (?:alive|here)",
            r"(?:rather|better off) (?:be )?dead",
            r"better off without me",
            r"(?:everyone|everybody|they|my family|my kids) (?:would|will) be better off",
            r"(?:nobody|no one|no-one) (?:would|will|is going to|'?d) (?:miss|care about|notice|"
            r"care)(?: me)?(?: if| when| once)",
            r"(?:going|gonna|want|wanna|about|thinking about|thinking of|plan|planning) (?:to )?"
            r"(?:jump|jumping) (?:off|from|in front of)",
            r"(?:going|gonna|want|wanna|about|plan|planning) (?:to )?(?:overdose|od)\b",
            r"(?:voy a|quiero) (?:tirarme|aventarme|lanzarme)",
            r"nadie (?:me )?(?:extranaria|va a extranar|notaria)",
            r"no (?:reason|point) (?:to|in) (?:live|living|going on)",
            r"(?:can'?t|cannot) (?:go on|take it|keep going|do this) (?:anymore|any more|"
            r"any longer|like this)",
            r"not worth living",
            r"(?:life|living) (?:is not|isn'?t) worth",
            r"matarme",
            r"me (?:quiero|voy a) matar",
            r"quitarme la vida",
            r"hacerme dano",
            r"lastimarme",
            r"no quiero (?:vivir|seguir viviendo|despertar(?:me)?)\b",
            r"(?:me )?quiero morir(?:me)?",
            r"(?:quiero|voy a) acabar con (?:todo|mi vida)",
            r"ya no quiero estar aqui",
            r"no quiero estar aqui(?: (?:nunca mas|mas)|\W*$)",
            r"(?:ya no quiero|no quiero) estar (?:vivo|viva)",
            r"(?:prefiero|preferiria) estar muert[oa]",
            r"mejor (?:estaria )?muert[oa]",
            r"no vale la pena vivir",
        ),
    ),
]
