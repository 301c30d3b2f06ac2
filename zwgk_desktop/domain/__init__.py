"""Pure domain rules of village disclosure: periods, money, identity numbers, item schemas."""
