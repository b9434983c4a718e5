import logging

from gonghui.core.logsafety import RedactingFilter, find_personal_data, redact


def test_it_finds_mobile_and_id_numbers_but_not_other_numbers():
    assert find_personal_data("call 13800000004 now") == ["13800000004"]
    assert find_personal_data("id 33010619900307123X ok") == ["33010619900307123X"]
    assert find_personal_data("order 2026112300001234 and path 000000001000000006") == []
    assert find_personal_data("code 330106-G1, staff 1200") == []


def test_it_masks_them_in_the_same_shape_as_the_ui():
    assert redact("SMS to 13800000004") == "SMS to 138****0004"
    assert redact("id=33010619900307123X") == "id=330106********123X"


def test_the_log_filter_masks_a_message_before_it_is_written(caplog):
    logger = logging.getLogger("gonghui.test.redact")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="gonghui.test.redact"):
            logger.info("member %s joined", "138" + "00000004")
    finally:
        logger.filters.clear()
    assert caplog.records[-1].getMessage() == "member 138****0004 joined"
