"""A small library of real prose on distinct subjects, so stores can be tested without ../shared.

Each document is a list of chunks (paragraphs); some share words on purpose (``engine`` appears in
the car and the search documents) so keyword and meaning searches disagree in useful ways.
"""

from __future__ import annotations

DOCUMENTS: dict[str, dict] = {
    "bread": {
        "title": "Baking sourdough bread at home",
        "file_type": "md",
        "language": "en",
        "added_at": "2024-01-10T09:00:00+00:00",
        "collection": "kitchen",
        "chunks": [
            "A sourdough starter is a living culture of wild yeast and lactic acid bacteria. Feed it "
            "equal weights of flour and water every day and keep it at room temperature until it "
            "doubles in size within a few hours of feeding.",
            "Mix the flour, water and a portion of active starter, then let the dough rest before "
            "adding salt. Stretch and fold the dough every half hour during bulk fermentation to "
            "build gluten strength without kneading.",
            "Shape the loaf gently, proof it overnight in the refrigerator, and bake it in a "
            "preheated Dutch oven. The lid traps steam so the crust stays soft long enough for the "
            "bread to rise fully before it browns.",
        ],
    },
    "engine": {
        "title": "How a four-stroke petrol engine works",
        "file_type": "pdf",
        "language": "en",
        "added_at": "2024-03-05T14:30:00+00:00",
        "collection": "garage",
        "chunks": [
            "In the intake stroke the piston moves down and draws a mixture of air and fuel into the "
            "cylinder through the open intake valve.",
            "During compression the valves close and the piston moves up, squeezing the mixture. A "
            "spark plug then ignites it and the expanding gases force the piston down in the power "
            "stroke, turning the crankshaft.",
            "The exhaust stroke pushes the burnt gases out of the cylinder. Engines with several "
            "cylinders fire them in a sequence so that the crankshaft turns smoothly.",
            "Regular oil changes keep the moving parts of the engine lubricated and cool, and a "
            "worn timing belt should be replaced before it snaps and damages the valves.",
        ],
    },
    "search": {
        "title": "Inside a web search engine",
        "file_type": "html",
        "language": "en",
        "added_at": "2024-06-20T08:15:00+00:00",
        "collection": "",
        "chunks": [
            "A crawler fetches web pages, follows their links and hands the text to an indexer, which "
            "builds an inverted index mapping every word to the pages that contain it.",
            "At query time the engine looks up each query word in the inverted index and ranks the "
            "matching pages, classically with BM25, which rewards rare words and penalises long "
            "pages.",
            "Modern search engines combine keyword ranking with dense vector embeddings that capture "
            "meaning, so a query can find a page that uses different words for the same idea.",
        ],
    },
    "garden": {
        "title": "Growing tomatoes",
        "file_type": "docx",
        "language": "en",
        "added_at": "2024-04-01T07:00:00+00:00",
        "collection": "garden",
        "chunks": [
            "Tomato seedlings need plenty of light; without it they grow tall and weak. Sow the seeds "
            "indoors six to eight weeks before the last spring frost.",
            "Plant them out in a sunny, sheltered spot, bury the stem deeply so it grows extra roots, "
            "and tie the plants to stakes as they climb.",
            "Water deeply and regularly at the base of the plant. Irregular watering causes blossom "
            "end rot and split fruit, and wet leaves invite blight.",
        ],
    },
    "heart": {
        "title": "The human heart",
        "file_type": "txt",
        "language": "en",
        "added_at": "2023-11-15T12:00:00+00:00",
        "collection": "",
        "chunks": [
            "The heart is a muscular pump with four chambers. The right side sends blood to the lungs "
            "to pick up oxygen, and the left side pumps oxygen-rich blood to the rest of the body.",
            "Valves between the chambers keep blood flowing in one direction; the familiar heartbeat "
            "sound is the noise of those valves closing.",
            "Regular exercise strengthens the heart muscle and lowers resting blood pressure, while "
            "smoking damages the arteries that supply the heart itself.",
        ],
    },
    "bees": {
        "title": "Le miel et les abeilles",
        "file_type": "txt",
        "language": "fr",
        "added_at": "2024-08-02T10:00:00+00:00",
        "collection": "garden",
        "chunks": [
            "Les abeilles butinent le nectar des fleurs et le transforment en miel dans la ruche. "
            "Une colonie compte une reine, des ouvrières et, en été, quelques milliers de faux bourdons.",
            "L'apiculteur récolte le miel à la fin de l'été en laissant assez de réserves pour que la "
            "colonie passe l'hiver.",
        ],
    },
    "orbits": {
        "title": "Why satellites stay in orbit",
        "file_type": "json",
        "language": "en",
        "added_at": "2025-02-11T16:45:00+00:00",
        "collection": "",
        "chunks": [
            "A satellite in orbit is falling towards the Earth all the time, but it moves sideways so "
            "fast that the ground curves away beneath it as quickly as it falls.",
            "Low orbits need a speed of about eight kilometres per second. Higher orbits are slower, "
            "and at about 36,000 kilometres a satellite circles once a day, staying above one spot.",
        ],
    },
}
