# Sourced by ./mvnw and ./mp4j: finds a JDK whose feature version is at least $MP4J_MIN_JDK (25)
# and exports it as JAVA_HOME. No path is hard-coded: it looks at JAVA_HOME, the `java` on the PATH
# and the usual places where JDKs are installed, and takes the oldest that is new enough (the one the
# project is tested on).
# Set MP4J_JAVA_HOME to force a choice.

MP4J_MIN_JDK=${MP4J_MIN_JDK:-25}

mp4j_jdk_feature() { # prints the feature version of the JDK at $1, or nothing
  local home=$1 v="" # initialised: with no release file, v is read below, and ./mp4j and ./mvnw run with set -u
  [[ -x $home/bin/java && -x $home/bin/javac ]] || return 0
  if [[ -f $home/release ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [[ -z $v ]]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  fi
  v=${v#1.}
  echo "${v%%[.+-]*}"
}

mp4j_find_jdk() {
  local candidates=() c best="" best_v=0 v
  [[ -n ${MP4J_JAVA_HOME:-} ]] && candidates+=("$MP4J_JAVA_HOME")
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v java)" 2>/dev/null) && candidates+=("${c%/bin/java}")
  fi
  for c in /usr/lib/jvm/* /usr/java/* /usr/local/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* \
           "$HOME"/.jdks/* "$HOME"/.asdf/installs/java/* "$HOME"/.local/share/mise/installs/java/*; do
    [[ -d $c ]] && candidates+=("$c")
  done
  if [[ -n ${MP4J_JAVA_HOME:-} ]]; then
    v=$(mp4j_jdk_feature "$MP4J_JAVA_HOME")
    if [[ -n $v && $v -ge $MP4J_MIN_JDK ]]; then echo "$MP4J_JAVA_HOME"; return 0; fi
    if [[ ! -d $MP4J_JAVA_HOME ]]; then v="there is no such directory"
    elif [[ -z $v ]]; then v="it has no bin/java and bin/javac"
    else v="it is JDK $v"
    fi
    echo "MP4J_JAVA_HOME=$MP4J_JAVA_HOME is not a JDK $MP4J_MIN_JDK or newer: $v" >&2
    return 1
  fi
  for c in "${candidates[@]}"; do
    v=$(mp4j_jdk_feature "$c")
    [[ -n $v ]] || continue
    # Prefer the oldest JDK that is new enough (the one the project is tested on); on a tie, the first found.
    if (( v >= MP4J_MIN_JDK )) && { [[ -z $best ]] || (( v < best_v )); }; then
      best=$c best_v=$v
    fi
  done
  if [[ -z $best ]]; then
    echo "No JDK $MP4J_MIN_JDK or newer found (looked at JAVA_HOME, the java on the PATH, /usr/lib/jvm," >&2
    echo "/opt, ~/.sdkman and ~/.jdks). Install one, or set MP4J_JAVA_HOME to its folder." >&2
    return 1
  fi
  echo "$best"
}

JAVA_HOME=$(mp4j_find_jdk) || exit 1
export JAVA_HOME
