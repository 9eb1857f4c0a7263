"""Django format overrides (``FORMAT_MODULE_PATH``): where Django's own forms take a date as text
(the administration's date fields), they take and show it as Styrbord writes dates everywhere
else, "18-12-2024" (``lib.formatting``), and still take "18.12.2024" and "2024-12-18"."""
