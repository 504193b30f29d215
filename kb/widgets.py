"""A multiple select that can be searched, for choices too many to scroll (agencies)."""

from django import forms

from practices.periods import labelled


class SearchableSelectMultiple(forms.SelectMultiple):
    """A `<select multiple>` that static/js/multiselect.js turns into a search box with the
    chosen items as removable tags (Tom Select, whose search ignores diacritics, so "bac ninh"
    finds "Tỉnh Bắc Ninh"); without JavaScript it stays a plain multiple select.

    `label` makes an option's label from the model instance (the field's `str` otherwise).
    """

    def __init__(self, attrs=None, label=None):
        super().__init__({"data-controller": "kb-multiselect", **(attrs or {})})
        self.label = label

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        instance = getattr(value, "instance", None)
        if instance is not None and self.label is not None:
            label = self.label(instance)
        return super().create_option(name, value, label, selected, index, subindex, attrs)

    class Media:
        js = ["vendor/tom-select/tom-select.popular.min.js", "js/multiselect.js"]
        css = {"all": ["vendor/tom-select/tom-select.min.css", "css/multiselect.css"]}


class AgencySelectMultiple(SearchableSelectMultiple):
    def __init__(self, attrs=None):
        super().__init__(attrs, label=labelled)
