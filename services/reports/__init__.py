"""Monthly grid reports (/report): submission, views, the 二级网格长 hearing, and their texts."""
