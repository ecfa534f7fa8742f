"""Group robots (群机器人) of WeCom and DingTalk: a county's or zone's notices in its chat group."""
