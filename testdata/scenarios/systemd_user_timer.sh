#!/bin/sh
# expect: Systemd user unit written
HOME=$(mktemp -d)
mkdir -p "$HOME/.config/systemd/user"
printf '[Timer]\nOnCalendar=hourly\n' > "$HOME/.config/systemd/user/update.timer"
rm -rf "$HOME"
