"""Your department: a scenario built from a CRM export (``import_crm``), then calibrated (``calibrate``)."""

from .calibrate import CalibrationResult, calibrate
from .errors import CalibrationError, CrmError, DataError, MappingError
from .importer import ImportResult, import_crm
from .mapping import LAYOUTS, load_mapping

__all__ = [
    "LAYOUTS",
    "CalibrationError",
    "CalibrationResult",
    "CrmError",
    "DataError",
    "ImportResult",
    "MappingError",
    "calibrate",
    "import_crm",
    "load_mapping",
]
