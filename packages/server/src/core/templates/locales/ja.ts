import type { LocaleStrings } from '../strings.js';

export const ja: LocaleStrings = {
  locale: 'ja',
  fontFamily:
    "-apple-system, BlinkMacSystemFont, 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic UI', 'Yu Gothic', Meiryo, 'Noto Sans JP', 'Noto Sans CJK JP', 'Segoe UI', Arial, sans-serif",
  lineHeight: 26,
  greeting: '{user} 様',
  greetingAnon: 'ご利用いただきありがとうございます。',
  codeLabel: '確認コード',
  expiry: 'このコードの有効期限は {minutes} 分です。',
  noShare: 'このコードは誰にも教えないでください。{company} からこのコードをお尋ねすることはありません。',
  sentBy: 'このメールは {company} から送信されています。',
  help: 'ご不明な点がありましたら、{support} までお問い合わせください。',
  types: {
    SignIn: {
      subject: '{app} のサインインコード',
      heading: '{app} にサインイン',
      intro: '以下のコードを入力して、サインインを完了してください。',
      ignore: 'サインインを試みていない場合は、このメールを無視してください。誰かが誤ってあなたのメールアドレスを入力した可能性がありますが、このコードがなければサインインすることはできません。',
    },
    Register: {
      subject: '{app} のメールアドレスの確認',
      heading: '{app} へようこそ',
      intro: '以下のコードを入力して、メールアドレスの確認とアカウントの作成を完了してください。',
      ignore: 'アカウントを作成していない場合は、このメールを無視してください。このコードがなければアカウントは作成されません。',
    },
    ForgotPassword: {
      subject: '{app} のパスワードの再設定',
      heading: 'パスワードの再設定',
      intro: '以下のコードを入力して、新しいパスワードを設定してください。',
      ignore: 'パスワードの再設定をリクエストしていない場合は、このメールを無視してください。パスワードは変更されません。',
    },
    Generic: {
      subject: '{app} の確認コード',
      heading: '確認コード',
      intro: 'ご依頼いただいた確認コードは以下のとおりです。',
      ignore: 'このコードをリクエストしていない場合は、このメールを無視してください。',
    },
    OrganizationInvitation: {
      subject: '{inviter} さんから {app} の「{org}」への招待が届いています',
      subjectNoInviter: '{app} の「{org}」への招待が届いています',
      heading: '{app} の「{org}」に参加',
      intro: '{inviter} さんから、{app} の組織「{org}」への招待が届いています。',
      introNoInviter: '{app} の組織「{org}」への招待が届いています。',
      button: '招待を承諾する',
      linkHint: 'ボタンが機能しない場合は、以下のリンクをコピーしてブラウザに貼り付けてください。',
      expiry: 'この招待の有効期限は {duration} です。',
      ignore: 'この招待に心当たりがない場合は、このメールを無視してください。承諾しない限り、組織に参加することはありません。',
    },
    UserPermissionValidation: {
      subject: '{app} での操作の確認',
      heading: 'ご本人確認',
      intro: 'アカウントの重要な変更を行おうとしています。以下のコードを入力して、操作を確認してください。',
      ignore: 'この操作に心当たりがない場合は、コードを誰にも教えないでください。第三者がアカウントを変更しようとしている可能性があります。パスワードを変更し、{company} までご連絡ください。',
    },
    BindNewIdentifier: {
      subject: '{app} の新しいメールアドレスの確認',
      heading: '新しいメールアドレスの確認',
      intro: '以下のコードを入力して、このメールアドレスを {app} のアカウントに追加してください。',
      ignore: 'このメールアドレスの追加をリクエストしていない場合は、このメールを無視してください。アカウントは変更されません。',
    },
    MfaVerification: {
      subject: '{app} の2段階認証コード',
      heading: '2段階認証',
      intro: '以下のコードを入力して、{app} へのサインインを完了してください。',
      ignore: 'サインインしようとしていない場合、第三者があなたのパスワードを知っている可能性があります。このコードは誰にも教えず、すぐにパスワードを変更してください。',
    },
    BindMfa: {
      subject: '{app} の2段階認証の設定',
      heading: 'メールによる2段階認証の設定',
      intro: '以下のコードを入力して、このメールアドレスを {app} の2段階認証に使用してください。',
      ignore: 'この設定をリクエストしていない場合は、このメールを無視してください。サインインの設定は変更されません。',
    },
  },
  sample: {
    userName: '山田 太郎',
    inviterName: '佐藤 花子',
    organizationName: 'ノースウィンド商事',
    applicationName: 'Acme Cloud',
    companyName: '株式会社アクメ',
    companyInformation: '株式会社アクメ 〒100-0005 東京都千代田区丸の内1-1-1',
  },
};
