# usage.sh, sourced first by each shell script: `--help` or `-h` prints the script's head comment
# (its usage) and exits, before anything is installed, built or started.
case "${1:-}" in
  -h | --help)
    sed -n '2,${/^#/!q;s/^# \{0,1\}//;p}' "$0"
    exit 0 ;;
esac
