"""Quality rules for the catalogue's data packages (one copy, used by the
``koreanap`` command and by CKAN). The rules arrive with the validation issue;
this package is installed now so both sides import it from one place."""
