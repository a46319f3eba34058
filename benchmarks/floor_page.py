"""Generic Streamlit floor of a page: redraws, from constant data, what ``page_floor.capture``
recorded of the page (path of the pickle in ``$BUTDATA_FLOOR_TREE``): the same texts, tables,
figures and widgets (same keys) in the same columns, tabs, expanders and sidebar, the fragment
parts inside fragments. No store, no computation: a rerun costs only Streamlit's own work.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor_draw

floor_draw.main()
